// The only module that reads configuration. Node passes process.env, Workers pass their bindings: both are plain
// records, validated by one zod schema so a bad deployment fails at start with every problem listed at once.
import { z } from "zod";

export const logLevels = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Shortest service token accepted: 32 characters leaves no room for guessing. */
export const serviceTokenLengthMin = 32;
/** Largest body a deployment may allow (the default is far below). */
const bodyLimitBytesMax = 16 * 1024 * 1024;

/** Configuration after validation: units last in names, amounts as bigint like the ledger. */
export interface Config {
  port: number;
  /** A PostgreSQL URL; absent means the embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** The bearer token that grants the `service` role; null disables it. */
  serviceToken: string | null;
  amountMaxYen: bigint;
  bodyLimitBytes: number;
  logLevel: LogLevel;
}

// Empty strings count as unset (a blank line in .env must not turn into a value).
const text = z.preprocess((v) => (v === "" ? undefined : typeof v === "number" ? String(v) : v), z.string().optional());

function integerText(min: number, max: number, fallback: number) {
  return text.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `must be an integer from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });
}

const schema = z.object({
  PORT: integerText(1, 65_535, 8787),
  DATABASE_URL: text.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL"),
  TSUBAKI_DATA_DIR: text.transform((v) => v ?? "./data"),
  TSUBAKI_SERVICE_TOKEN: text.refine(
    (v) => v === undefined || (v.length >= serviceTokenLengthMin && !/\s/.test(v)),
    `must be at least ${serviceTokenLengthMin} characters without spaces`,
  ),
  TSUBAKI_AMOUNT_MAX_YEN: integerText(1, Number.MAX_SAFE_INTEGER, 1_000_000_000_000),
  TSUBAKI_BODY_LIMIT_BYTES: integerText(256, bodyLimitBytesMax, 65_536),
  TSUBAKI_LOG_LEVEL: text.pipe(z.enum(logLevels).optional()).transform((v) => v ?? "info"),
});

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

/**
 * Validates a record of variables (unknown keys are ignored: Workers bindings carry more than configuration).
 * Throws ConfigError naming every invalid variable; never echoes a value, since one may be a secret.
 */
export function loadConfig(source: Readonly<Record<string, unknown>>): Config {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, source[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "?"),
      message: issue.code === "invalid_type" ? "must be a string" : issue.code === "invalid_value" ? `must be one of ${logLevels.join(", ")}` : issue.message,
    }));
    throw new ConfigError(problems);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    databaseUrl: v.DATABASE_URL ?? null,
    dataDir: v.TSUBAKI_DATA_DIR,
    serviceToken: v.TSUBAKI_SERVICE_TOKEN ?? null,
    amountMaxYen: BigInt(v.TSUBAKI_AMOUNT_MAX_YEN),
    bodyLimitBytes: v.TSUBAKI_BODY_LIMIT_BYTES,
    logLevel: v.TSUBAKI_LOG_LEVEL,
  };
}
