// The little of `cloudflare:test` these tests use (the full types need @cloudflare/workers-types, not installed).
declare module "cloudflare:test" {
  export const env: {
    HYPERDRIVE: { connectionString: string };
    TSUBAKI_SERVICE_TOKEN: string;
    [binding: string]: unknown;
  };
  export const SELF: { fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> };
}
