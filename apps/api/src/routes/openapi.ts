// The OpenAPI 3.1 document, generated from the route declarations and their zod schemas (one source), with the
// roles of each operation in `x-roles` and every problem code it can return in `x-problem-codes`.
import { z } from "zod";
import { problemStatus, problemTitles, problemCodes, type ProblemCode } from "../http/problem";
import type { Route } from "./registry";

type JsonSchema = Record<string, unknown>;

export const problemJson = z.object({
  type: z.string().meta({ description: "A link to this code in the API docs" }),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(problemCodes as [ProblemCode, ...ProblemCode[]]),
  request_id: z.string().meta({ description: "Quote it to the operator; it is in the server's log" }),
});

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    // The long regex zod writes for ISO date-times says nothing a reader needs: `format` says it.
    override: (ctx) => {
      if (ctx.jsonSchema.format === "date-time") delete ctx.jsonSchema.pattern;
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** Problems every route can return, by what it declares. */
function commonProblems(route: Route): ProblemCode[] {
  const codes: ProblemCode[] = [];
  if (route.roles !== "public") codes.push("unauthorized", "token_invalid", "token_expired", "forbidden");
  if (route.roles !== "public" && route.roles.includes("terminal")) {
    codes.push("device_signature_missing", "device_signature_invalid", "device_clock_skew", "device_unknown", "device_replay");
  }
  if (route.request?.body) codes.push("malformed_json", "invalid_request", "body_too_large");
  else if (route.request?.query || route.request?.params) codes.push("invalid_request");
  codes.push("internal_error");
  return codes;
}

function parameters(route: Route): JsonSchema[] {
  const list: JsonSchema[] = [];
  for (const where of ["path", "query"] as const) {
    const schema = where === "path" ? route.request?.params : route.request?.query;
    if (!schema) continue;
    const object = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      list.push({
        name,
        in: where,
        required: where === "path" || (object.required ?? []).includes(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
}

function operation(route: Route): JsonSchema {
  const codes = [...new Set([...(route.errors ?? []), ...commonProblems(route)])];
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { [response.contentType ?? "application/json"]: { schema: jsonSchema(response.schema, "output") } } } : {}),
    };
  }
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(problemStatus[code], [...(byStatus.get(problemStatus[code]) ?? []), code]);
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = {
      description: list.map((c) => `${c}: ${problemTitles[c]}`).join("; "),
      "x-problem-codes": list,
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  const params = parameters(route);
  return {
    operationId: `${route.method}${route.path.replace(/\{([^}]+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.tags ? { tags: route.tags } : {}),
    "x-roles": route.roles === "public" ? ["public"] : [...route.roles],
    ...(route.ownership && route.ownership.kind !== "none" ? { "x-ownership": ownershipOf(route) } : {}),
    security: route.roles === "public" ? [] : [{ bearer: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.request?.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.request.body, "input") } } } }
      : {}),
    responses,
  };
}

/** The ownership rule as documentation: its kind, its options, and where the target comes from. */
function ownershipOf(route: Route): JsonSchema {
  const { target, ...rule } = route.ownership!;
  const source = target ?? { param: "id" };
  const from = "param" in source ? `path:${source.param}` : "query" in source ? `query:${source.query}${source.orCaller ? "|caller" : ""}` : "body" in source ? `body:${source.body}` : "caller" in source ? "caller" : "lookup";
  return { ...rule, target: from };
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export function openApiDocument(routes: readonly Route[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token from POST /v1/auth/login (EdDSA JWT, ≤ 15 min), or the service token (role service). Fare terminals sign requests instead (X-Tsubaki-Device, -Timestamp, -Nonce, -Signature).",
        },
      },
      schemas: { Problem: jsonSchema(problemJson, "output") },
    },
    "x-problem-codes": Object.fromEntries(problemCodes.map((c) => [c, { status: problemStatus[c], title: problemTitles[c] }])),
  };
}
