// One line of JSON per event, on stdout/stderr, in Node and in Workers alike. Callers pass chosen fields only:
// no request headers are ever logged, so neither the Authorization header nor a token can reach a log.
import type { LogLevel } from "./env";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function createLogger(level: LogLevel, write: (line: string, level: LogLevel) => void = defaultWrite): Logger {
  const emit = (at: Exclude<LogLevel, "silent">) => (message: string, fields: LogFields = {}) => {
    if (rank[at] < rank[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...fields }), at);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

function defaultWrite(line: string, level: LogLevel): void {
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

/** The name and message of an error, without its stack or any fields it carries (they may hold request data). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}
