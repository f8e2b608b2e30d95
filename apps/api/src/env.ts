// The only module that reads configuration. Node passes process.env, Workers pass their bindings: both are plain
// records, validated by one zod schema so a bad deployment fails at start with every problem listed at once.
import { z } from "zod";

export const logLevels = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Shortest service token accepted: 32 characters leaves no room for guessing. */
export const serviceTokenLengthMin = 32;
/** Largest body a deployment may allow (the default is far below). */
const bodyLimitBytesMax = 16 * 1024 * 1024;
/** Access tokens live at most 15 minutes (@tsubaki/auth refuses to sign longer ones). */
export const accessTokenTtlSecondsMax = 900;
/** When the Node entry seeds the demo town: always (idempotent), only into an empty (or demo) database, never. */
export const seedModes = ["demo", "empty", "off"] as const;
export type SeedMode = (typeof seedModes)[number];

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
  /** `iss` of the access tokens this deployment signs and accepts. */
  jwtIssuer: string;
  /** `aud` of the access tokens this deployment signs and accepts. */
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  /** Node behind a reverse proxy: the request header carrying the client's address (its last value is used). */
  clientAddressHeader: string | null;
  /** Demo data at start (Node entry only): see seedModes. */
  seed: SeedMode;
  /** The shop QR signing key as given (hex, or base64 of ≥ 32 bytes); null: generated once and kept in the database. */
  qrKey: string | null;
  /** Ride-code issuer keys ("kid:secretHex,…", oldest first; services/bus-keys.ts); null: generated and kept in the database. */
  rideIssuerKeys: string | null;
}

/** A shop QR key's text: ≥ 64 hex digits, or base64/base64url of ≥ 32 bytes (HMAC-SHA256 wants a full-size key). */
export function isQrKeyText(v: string): boolean {
  if (/^(?:[0-9a-fA-F]{2}){32,}$/.test(v)) return true;
  const body = v.replace(/=+$/, "");
  return /^[A-Za-z0-9+/_-]+$/.test(body) && Math.floor((body.length * 6) / 8) >= 32;
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
  TSUBAKI_JWT_ISSUER: text.refine((v) => v === undefined || (v.length <= 256 && !/\s/.test(v)), "must be at most 256 characters without spaces"),
  TSUBAKI_JWT_AUDIENCE: text.refine((v) => v === undefined || (v.length <= 256 && !/\s/.test(v)), "must be at most 256 characters without spaces"),
  TSUBAKI_ACCESS_TOKEN_TTL_S: integerText(60, accessTokenTtlSecondsMax, accessTokenTtlSecondsMax),
  TSUBAKI_CLIENT_IP_HEADER: text.refine((v) => v === undefined || /^[A-Za-z0-9-]{1,64}$/.test(v), "must be a header name (A-Z a-z 0-9 -)"),
  TSUBAKI_SEED: text.pipe(z.enum(seedModes).optional()).transform((v) => v ?? "off"),
  TSUBAKI_QR_KEY: text.refine((v) => v === undefined || isQrKeyText(v), "must be at least 32 bytes, as hex or base64"),
  TSUBAKI_RIDE_ISSUER_KEYS: text.refine((v) => v === undefined || /^\s*\d{1,3}:[0-9a-f]{64}(\s*,\s*\d{1,3}:[0-9a-f]{64})*\s*$/.test(v), "must be kid:secretHex pairs (64 lower-case hex), comma-separated"),
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
      message:
        issue.code === "invalid_type"
          ? "must be a string"
          : issue.code === "invalid_value"
            ? `must be one of ${(issue.path[0] === "TSUBAKI_SEED" ? seedModes : logLevels).join(", ")}`
            : issue.message,
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
    jwtIssuer: v.TSUBAKI_JWT_ISSUER ?? "tsubaki",
    jwtAudience: v.TSUBAKI_JWT_AUDIENCE ?? "tsubaki-api",
    accessTokenTtlSeconds: v.TSUBAKI_ACCESS_TOKEN_TTL_S,
    clientAddressHeader: v.TSUBAKI_CLIENT_IP_HEADER?.toLowerCase() ?? null,
    seed: v.TSUBAKI_SEED,
    qrKey: v.TSUBAKI_QR_KEY ?? null,
    rideIssuerKeys: v.TSUBAKI_RIDE_ISSUER_KEYS ?? null,
  };
}
