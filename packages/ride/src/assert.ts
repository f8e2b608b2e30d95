// Assertions catch programmer bugs and crash loudly; expected failures (a bad QR, an exhausted allowance) are
// values, never exceptions. Same contract as @tsubaki/ledger's, kept local so this package has no workspace deps.
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`BUG: ${message}`);
}

export function assertUnreachable(value: never): never {
  throw new AssertionError(`BUG: unreachable: ${JSON.stringify(value)}`);
}
