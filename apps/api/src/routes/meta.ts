// Routes about the API itself: health for load balancers, the OpenAPI document and the docs page (all public).
import { z } from "zod";
import { describeError } from "../log";
import { docsContentSecurityPolicy, docsPage } from "./docs-page";
import { openApiDocument } from "./openapi";
import { defineRoute, type Registry } from "./registry";

/** A health check that takes longer than this reports the database as unavailable. */
const healthTimeoutMs = 3000;

const healthJson = z.object({ ok: z.boolean(), database: z.enum(["ok", "unavailable"]) });

const openApiCache = new WeakMap<Registry, unknown>();
function documentOf(registry: Registry): unknown {
  let doc = openApiCache.get(registry);
  if (doc === undefined) {
    doc = openApiDocument(registry.routes, {
      title: "Tsubaki API",
      version: "0.1.0",
      description: "Tsubaki — digital regional currency and cashless payments. 地域通貨・キャッシュレス決済 API",
    });
    openApiCache.set(registry, doc);
  }
  return doc;
}

export const metaRoutes = [
  defineRoute({
    method: "get",
    path: "/health",
    roles: "public",
    tags: ["meta"],
    summary: "稼働確認 Health",
    responses: { 200: { description: "Up", schema: healthJson }, 503: { description: "The database does not answer", schema: healthJson } },
    async handler({ deps, requestId }) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const probe = deps.checkDatabase ? deps.checkDatabase() : deps.ledger.getAccount("health:probe").then(() => {});
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${healthTimeoutMs} ms`)), healthTimeoutMs);
        });
        await Promise.race([probe, timeout]);
        return { status: 200, json: { ok: true, database: "ok" } };
      } catch (error) {
        deps.logger.warn("health check failed", { request_id: requestId, error: describeError(error) });
        return { status: 503, json: { ok: false, database: "unavailable" } };
      } finally {
        clearTimeout(timer);
      }
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/openapi.json",
    roles: "public",
    tags: ["meta"],
    summary: "OpenAPI 3.1 文書 The OpenAPI 3.1 document",
    responses: { 200: { description: "OpenAPI 3.1", schema: z.record(z.string(), z.unknown()) } },
    handler: ({ registry }) => ({ status: 200, json: documentOf(registry) }),
  }),

  defineRoute({
    method: "get",
    path: "/v1/docs",
    roles: "public",
    tags: ["meta"],
    summary: "API リファレンス Interactive API docs",
    responses: { 200: { description: "A self-contained HTML page", contentType: "text/html" } },
    handler: ({ registry }) => ({
      status: 200,
      html: docsPage(documentOf(registry), "Tsubaki"),
      headers: { "Content-Security-Policy": docsContentSecurityPolicy },
    }),
  }),
];
