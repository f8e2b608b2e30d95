// A last line of defence for logs: a deep copy of a value with secrets replaced by "[redacted]". Callers should
// still log chosen fields only; this catches the field nobody thought of. Redacted: values under secret-sounding
// keys (password, pin, token, secret, authorization, cookie, signature, private keys, pairing codes…), the private
// members of a JWK, and any string that looks like a JWT, a bearer credential or a stored scrypt hash.

export const redacted = "[redacted]";
/** Deeper structures are cut off (a bound, and cycles end here too). */
export const redactDepthMax = 8;
/** Longer arrays are cut to this many items. */
export const redactItemsMax = 100;

const secretKeys = new Set([
  "password", "passwd", "newpassword", "oldpassword", "currentpassword", "passwordhash",
  "pin", "newpin", "pinhash",
  "secret", "secretkey", "clientsecret",
  "token", "accesstoken", "refreshtoken", "idtoken", "servicetoken", "tokenhash",
  "authorization", "cookie", "setcookie", "xapikey", "apikey",
  "privatekey", "privatejwk", "signingkey", "jwk",
  "pairingcode", "pairingcodehash", "codehash",
  "signature", "xtsubakisignature",
]);
/** Private members of a JWK (RFC 7517/7518): redacted in any object that has a `kty`. */
const jwkPrivateMembers = new Set(["d", "p", "q", "dp", "dq", "qi", "k", "oth"]);

const jwtPattern = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const bearerPattern = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const scryptPattern = /\$scrypt\$[^\s"']+/g;
const serviceTokenPattern = /\btsk_[A-Za-z0-9_-]{16,}/g;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

function isSecretKey(key: string): boolean {
  const k = normalizeKey(key);
  return secretKeys.has(k) || secretKeys.has(key.toLowerCase()) || k.endsWith("password") || k.endsWith("token") || k.endsWith("secret");
}

export function redactString(text: string): string {
  return text.replace(jwtPattern, redacted).replace(bearerPattern, `$1 ${redacted}`).replace(scryptPattern, redacted).replace(serviceTokenPattern, redacted);
}

export function redactSecrets<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= redactDepthMax) return "[truncated]";
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return redacted;
  if (Array.isArray(value)) return value.slice(0, redactItemsMax).map((v) => walk(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  const obj = value as Record<string, unknown>;
  const isJwk = "kty" in obj;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    out[key] = isSecretKey(key) || (isJwk && jwkPrivateMembers.has(key)) ? redacted : walk(v, depth + 1);
  }
  return out;
}
