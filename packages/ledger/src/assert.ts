// Assertions catch programmer bugs and crash loudly; expected failures are values, never exceptions.
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`BUG: ${message}`);
}

/**
 * The failure of a check whose message is built from values: `if (!ok) bug(`... ${x}`)`. assert() takes its
 * message already built, so on a hot path a message with values in it would be built on every call, not only on
 * the one that fails (jsonYen alone built about twenty per payment).
 */
export function bug(message: string): never {
  throw new AssertionError(`BUG: ${message}`);
}

export function assertUnreachable(value: never): never {
  throw new AssertionError(`BUG: unreachable: ${JSON.stringify(value)}`);
}
