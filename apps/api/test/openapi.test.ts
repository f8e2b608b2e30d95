// The OpenAPI document and the docs page come from the route declarations: every route is there with its
// roles and schemas, and the docs page works offline (nothing loaded from anywhere).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../src/routes";
import { call, openHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await openHarness("pglite");
});
afterAll(async () => {
  await h?.close();
});

describe("GET /v1/openapi.json", () => {
  it("describes every route with its roles, security, parameters and schemas", async () => {
    const r = await call(h.app, "GET", "/v1/openapi.json", { token: null });
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods as object).map((m) => `${m} ${path}`));
    expect(operations.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    for (const route of routes) {
      const op = doc.paths[route.path][route.method];
      expect(op["x-roles"]).toEqual(route.roles === "public" ? ["public"] : [...route.roles]);
      expect(op.security).toEqual(route.roles === "public" ? [] : [{ bearer: [] }]);
      if (route.request?.body) expect(op.requestBody.content["application/json"].schema.type).toBe("object");
      if (route.path.includes("{id}")) expect(op.parameters).toContainEqual(expect.objectContaining({ name: "id", in: "path", required: true }));
      expect(op.responses["500"]["x-problem-codes"]).toEqual(["internal_error"]);
    }
  });

  it("documents the ledger's rules from the ledger's own constants", async () => {
    const doc = (await call(h.app, "GET", "/v1/openapi.json")).body;
    const transfer = doc.paths["/v1/ledger/transfers"].post;
    const body = transfer.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["id", "legs"]);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.legs).toMatchObject({ type: "array", minItems: 1, maxItems: 16 });
    expect(body.properties.legs.items.properties.amount).toMatchObject({ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
    expect(body.properties.pending.properties.timeout_s).toMatchObject({ type: "integer", minimum: 1, maximum: 604800 });
    expect(transfer.responses["201"].content["application/json"].schema.properties.legs.type).toBe("array");
    expect(transfer.responses["422"]["x-problem-codes"]).toEqual(expect.arrayContaining(["invalid_amount", "same_account", "too_many_legs", "exceeds_balance"]));
    expect(transfer.responses["409"]["x-problem-codes"]).toEqual(["id_reused"]);
    expect(transfer.responses["401"]["x-problem-codes"]).toEqual(["unauthorized", "token_invalid", "token_expired"]);
    const entries = doc.paths["/v1/ledger/accounts/{id}/entries"].get;
    expect(entries.parameters).toContainEqual({ name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } });
    expect(doc["x-problem-codes"].invalid_amount).toEqual({ status: 422, title: expect.any(String) });
  });
});

describe("GET /v1/docs", () => {
  it("serves one self-contained page, Japanese first, with a strict CSP and no outside resources", async () => {
    const r = await call(h.app, "GET", "/v1/docs", { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.text).toContain('<html lang="ja">');
    expect(r.text).toContain("API リファレンス");
    expect(r.text).toContain("/v1/ledger/transfers");
    expect(r.text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(r.text).not.toMatch(/https?:\/\/(?!json-schema\.org)/);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it("embeds the document so that no string in it can close the script element", async () => {
    const r = await call(h.app, "GET", "/v1/docs");
    const embedded = /<script type="application\/json" id="openapi">([\s\S]*?)<\/script>/.exec(r.text)?.[1] ?? "";
    expect(embedded).not.toContain("<");
    expect(JSON.parse(embedded).openapi).toBe("3.1.0");
  });
});
