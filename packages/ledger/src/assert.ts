// Assertions catch programmer bugs and crash loudly; expected failures are values, never exceptions.
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`BUG: ${message}`);
}

export function assertUnreachable(value: never): never {
  throw new AssertionError(`BUG: unreachable: ${JSON.stringify(value)}`);
}
