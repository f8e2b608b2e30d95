// Every route is declared here in one shape: method, path, the roles that may call it (default deny), its zod
// schemas and its handler. The registry mounts routes on Hono, checks roles through one authorization step,
// validates input with the schemas, and the OpenAPI document is generated from the very same declarations.
import type { Context, Hono } from "hono";
import { z } from "zod";
import { assert } from "@tsubaki/ledger";
import type { Authenticate, Principal, Role } from "../auth/principal";
import { roles as knownRoles } from "../auth/principal";
import { toJsonText } from "../http/json";
import { ProblemError, type ProblemCode } from "../http/problem";
import { bodyProblem, parameterProblem } from "../http/validation";
import type { AppDeps, AppEnv } from "../app";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** "public", or the roles that may call the route (at least one). Routes without a declaration cannot exist. */
export type RouteRoles = "public" | readonly [Role, ...Role[]];

export interface RouteResponse {
  description: string;
  /** The JSON body (omit for none). */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string; headers?: Record<string, string> };

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Null only on public routes. */
  principal: Principal | null;
  requestId: string;
  deps: AppDeps;
  request: Request;
  /** The registry the route is mounted in (the OpenAPI routes read it). */
  registry: Registry;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<PS extends z.ZodType | undefined, QS extends z.ZodType | undefined, BS extends z.ZodType | undefined> {
  method: HttpMethod;
  /** OpenAPI style: /v1/ledger/accounts/{id} */
  path: string;
  roles: RouteRoles;
  summary: string;
  description?: string;
  tags?: readonly string[];
  request?: { params?: PS; query?: QS; body?: BS };
  /** Success responses by status. */
  responses: Readonly<Record<number, RouteResponse>>;
  /** Problem codes this route returns besides the common ones (documented, grouped by status). */
  errors?: readonly ProblemCode[];
  handler(input: HandlerInput<Out<PS>, Out<QS>, Out<BS>>): Promise<Reply> | Reply;
}

/** A declared route, its schema types erased so routes of every shape fit in one list. */
export interface Route extends Omit<RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>, "handler"> {
  handler(input: HandlerInput<unknown, unknown, unknown>): Promise<Reply> | Reply;
}

export function defineRoute<
  PS extends z.ZodType | undefined = undefined,
  QS extends z.ZodType | undefined = undefined,
  BS extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<PS, QS, BS>): Route {
  assert(spec.roles === "public" || (spec.roles.length > 0 && spec.roles.every((r) => knownRoles.includes(r))), `route ${spec.path} declares its roles`);
  return spec as unknown as Route;
}

export interface Registry {
  readonly routes: readonly Route[];
}

/** The Hono path of an OpenAPI path: {id} → :id. */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ":$1");
}

/** May this principal call this route? The single authorization decision of the API. */
export function isAllowed(route: Pick<Route, "roles">, principal: Principal | null): boolean {
  if (route.roles === "public") return true;
  if (principal === null) return false;
  const allowed: readonly Role[] = route.roles;
  return principal.roles.some((r) => allowed.includes(r));
}

async function authorize(route: Route, authenticate: Authenticate, request: Request): Promise<Principal | null> {
  if (route.roles === "public") return null;
  const principal = await authenticate(request);
  if (principal === null) {
    throw new ProblemError("unauthorized", "send Authorization: Bearer <token>", { "WWW-Authenticate": 'Bearer realm="tsubaki"' });
  }
  if (!isAllowed(route, principal)) throw new ProblemError("forbidden", `this endpoint needs one of the roles: ${route.roles.join(", ")}`);
  return principal;
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProblemError("malformed_json", "the body is not valid JSON");
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, onError: (e: z.ZodError) => ProblemError): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw onError(parsed.error);
  return parsed.data;
}

export function replyToResponse(reply: Reply): Response {
  if ("html" in reply) {
    return new Response(reply.html, { status: reply.status, headers: { "Content-Type": "text/html; charset=utf-8", ...reply.headers } });
  }
  return new Response(toJsonText(reply.json), {
    status: reply.status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...reply.headers },
  });
}

/** Mounts every route on the app: authorization, then validation, then the handler. */
export function mountRoutes(app: Hono<AppEnv>, routes: readonly Route[], deps: AppDeps, authenticate: Authenticate): Registry {
  const registry: Registry = { routes };
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    assert(!seen.has(key), `route ${key} is declared once`);
    seen.add(key);
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c: Context<AppEnv>) => {
      const principal = await authorize(route, authenticate, c.req.raw);
      const { params: paramsSchema, query: querySchema, body: bodySchema } = route.request ?? {};
      const params = paramsSchema ? parseWith(paramsSchema, c.req.param(), (e) => parameterProblem(e, "path")) : undefined;
      const query = querySchema ? parseWith(querySchema, c.req.query(), (e) => parameterProblem(e, "query")) : undefined;
      const body = bodySchema ? parseWith(bodySchema, await readJsonBody(c.req.raw), bodyProblem) : undefined;
      const reply = await route.handler({ params, query, body, principal, requestId: c.get("requestId"), deps, request: c.req.raw, registry });
      return replyToResponse(reply);
    });
  }
  return registry;
}
