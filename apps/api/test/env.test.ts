// Configuration: defaults, and one clear error that names every invalid variable (never a secret's value).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/env";

describe("loadConfig", () => {
  it("has safe defaults", () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      databaseUrl: null,
      dataDir: "./data",
      serviceToken: null,
      amountMaxYen: 1_000_000_000_000n,
      bodyLimitBytes: 65_536,
      logLevel: "info",
      jwtIssuer: "tsubaki",
      jwtAudience: "tsubaki-api",
      accessTokenTtlSeconds: 900,
      clientAddressHeader: null,
      seed: "off",
      qrKey: null,
      rideIssuerKeys: null,
    });
  });

  it("reads every variable and ignores other bindings", () => {
    const config = loadConfig({
      PORT: "9000",
      DATABASE_URL: "postgres://u:p@localhost:5432/tsubaki",
      TSUBAKI_DATA_DIR: "/var/lib/tsubaki",
      TSUBAKI_SERVICE_TOKEN: "s".repeat(32),
      TSUBAKI_AMOUNT_MAX_YEN: "9007199254740991",
      TSUBAKI_BODY_LIMIT_BYTES: "1024",
      TSUBAKI_LOG_LEVEL: "warn",
      TSUBAKI_JWT_ISSUER: "https://nonoichi.example/tsubaki",
      TSUBAKI_JWT_AUDIENCE: "nonoichi-api",
      TSUBAKI_ACCESS_TOKEN_TTL_S: "300",
      TSUBAKI_CLIENT_IP_HEADER: "X-Forwarded-For",
      TSUBAKI_SEED: "demo",
      HYPERDRIVE: { connectionString: "postgres://..." },
      HOME: "/root",
    });
    expect(config).toEqual({
      port: 9000,
      databaseUrl: "postgres://u:p@localhost:5432/tsubaki",
      dataDir: "/var/lib/tsubaki",
      serviceToken: "s".repeat(32),
      amountMaxYen: 9_007_199_254_740_991n,
      bodyLimitBytes: 1024,
      logLevel: "warn",
      jwtIssuer: "https://nonoichi.example/tsubaki",
      jwtAudience: "nonoichi-api",
      accessTokenTtlSeconds: 300,
      clientAddressHeader: "x-forwarded-for",
      seed: "demo",
      qrKey: null,
      rideIssuerKeys: null,
    });
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ PORT: "", TSUBAKI_SERVICE_TOKEN: "", DATABASE_URL: "" })).toMatchObject({ port: 8787, serviceToken: null, databaseUrl: null });
  });

  it("lists every invalid variable at once, without echoing the token", () => {
    const secret = "short-secret";
    let error: unknown;
    try {
      loadConfig({
        PORT: "eighty",
        DATABASE_URL: "mysql://x",
        TSUBAKI_SERVICE_TOKEN: secret,
        TSUBAKI_AMOUNT_MAX_YEN: "9007199254740993",
        TSUBAKI_BODY_LIMIT_BYTES: "-1",
        TSUBAKI_LOG_LEVEL: "loud",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(["DATABASE_URL", "PORT", "TSUBAKI_AMOUNT_MAX_YEN", "TSUBAKI_BODY_LIMIT_BYTES", "TSUBAKI_LOG_LEVEL", "TSUBAKI_SERVICE_TOKEN"]);
    const message = (error as Error).message;
    expect(message).toContain("TSUBAKI_SERVICE_TOKEN: must be at least 32 characters");
    expect(message).toContain("TSUBAKI_AMOUNT_MAX_YEN: must be an integer from 1 to 9007199254740991");
    expect(message).not.toContain(secret);
  });

  it("refuses fractional and zero amounts as the maximum", () => {
    expect(() => loadConfig({ TSUBAKI_AMOUNT_MAX_YEN: "1.5" })).toThrow(ConfigError);
    expect(() => loadConfig({ TSUBAKI_AMOUNT_MAX_YEN: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ TSUBAKI_AMOUNT_MAX_YEN: "1e6" })).toThrow(ConfigError);
  });
});

describe("identity settings", () => {
  it("keeps access tokens at 15 minutes or less, and names every bad identity variable", () => {
    expect(loadConfig({ TSUBAKI_ACCESS_TOKEN_TTL_S: "900" }).accessTokenTtlSeconds).toBe(900);
    let error: unknown;
    try {
      loadConfig({ TSUBAKI_ACCESS_TOKEN_TTL_S: "901", TSUBAKI_JWT_ISSUER: "has space", TSUBAKI_CLIENT_IP_HEADER: "x forwarded", TSUBAKI_SEED: "always" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(["TSUBAKI_ACCESS_TOKEN_TTL_S", "TSUBAKI_CLIENT_IP_HEADER", "TSUBAKI_JWT_ISSUER", "TSUBAKI_SEED"]);
    expect((error as Error).message).toContain("TSUBAKI_SEED: must be one of demo, empty, off");
    expect((error as Error).message).toContain("TSUBAKI_ACCESS_TOKEN_TTL_S: must be an integer from 60 to 900");
  });
});
