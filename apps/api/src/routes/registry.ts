// Every route is declared here in one shape: method, path, the roles that may call it (default deny), for roles
// that act for one resident, shop or terminal an ownership rule, its zod schemas and its handler. The registry
// mounts routes on Hono and decides access in one place: authentication → role → ownership (@tsubaki/auth
// decideAccess, with facts read fresh from the identity store on every request, so a revoked proxy or a removed
// staff member is refused at once; only the user → resident link, which never changes, is remembered) →
// validation → handler. The OpenAPI document is generated from the very same declarations.
import type { Context, Hono } from "hono";
import { z } from "zod";
import { decideAccess, unrestrictedRoles, type ActingAs, type Ownership, type OwnershipFacts } from "@tsubaki/auth";
import type { Proxy } from "@tsubaki/db";
import { assert } from "@tsubaki/ledger";
import { isAuthFailure, roles as knownRoles, type Authenticate, type Principal, type Role } from "../auth/principal";
import { toJsonText } from "../http/json";
import { ProblemError, type ProblemCode } from "../http/problem";
import { bodyProblem, parameterProblem } from "../http/validation";
import type { AppDeps, AppEnv } from "../app";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** "public", or the roles that may call the route (at least one). Routes without a declaration cannot exist. */
export type RouteRoles = "public" | readonly [Role, ...Role[]];

/** What a target resolver sees: the path and query parameters as sent (not validated yet), and who is calling. */
export interface TargetInput {
  params: unknown;
  query: unknown;
  principal: Principal;
  deps: AppDeps;
}

/**
 * Where the id an ownership rule is about comes from (default: the path parameter `id`):
 * - `{param}`: a path parameter;
 * - `{query, orCaller}`: a query parameter; when absent and `orCaller`, the caller's own (a proxy names the
 *   resident it acts for, the resident themself names nobody);
 * - `{body}`: a top-level string field of the JSON body (read before validation, so access is decided first);
 * - `{caller: true}`: the caller's own — their resident record (kind resident), their user id (self), the
 *   terminal itself (device);
 * - `{resolve}`: looked up from the request, e.g. a proxy id → the resident who granted it; null when there is no
 *   such thing (→ forbidden for everyone the rule applies to).
 */
export type TargetSource =
  | { param: string }
  | { query: string; orCaller?: boolean }
  | { body: string }
  | { caller: true }
  | { resolve: (input: TargetInput) => Promise<string | null> | string | null };

/** An ownership rule of @tsubaki/auth and where its target comes from. */
export type RouteOwnership = Ownership & { target?: TargetSource };

/** How the caller was let in, for the handler. */
export interface Access {
  actingAs: ActingAs;
  /** The id the ownership rule was decided about; null when no rule applied (role-only, or an unrestricted role). */
  target: string | null;
  /** The live proxy grant the caller acts under (actingAs "proxy"). */
  proxy: Proxy | null;
}

/** Longest target id considered; longer ones cannot be ours and are refused without a lookup. */
const targetLengthMax = 128;

export interface RouteResponse {
  description: string;
  /** The JSON body (omit for none). */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string; headers?: Record<string, string> }
  /** A body already serialised (a stored idempotent response replayed byte for byte, a CSV file). */
  | { status: number; text: string; contentType: string; headers?: Record<string, string> }
  /** A response the handler built itself (a server-sent event stream). */
  | { response: Response };

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Null only on public routes. */
  principal: Principal | null;
  /** How the caller passed the ownership rule (actingAs "public" on public routes). */
  access: Access;
  /** The client's address as the entry determines it (for guessing limits); null when unknown. */
  clientAddress: string | null;
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
  /**
   * For roles acting for one resident, shop or terminal: whose thing the request is about (see TargetSource).
   * Callers holding an unrestricted role the route allows (counter_staff, admin_*, service) are not subject to it.
   * Absent: the role alone decides.
   */
  ownership?: RouteOwnership;
  /**
   * Body field → problem code for invalid values. Default: the ledger's table (amount → invalid_amount, …); a route
   * whose fields share those names but not their meaning (a shop's `code`) passes {} so they are invalid_request.
   */
  bodyFieldCodes?: Readonly<Record<string, ProblemCode>>;
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
  checkRouteDeclaration(spec);
  return spec as unknown as Route;
}

/** Default deny, enforced twice: when a route is declared and again when it is mounted (a route built by hand). */
export function checkRouteDeclaration(route: Pick<Route, "path" | "roles" | "ownership">): void {
  const roles: unknown = route.roles;
  assert(
    roles === "public" || (Array.isArray(roles) && roles.length > 0 && roles.every((r) => knownRoles.includes(r as Role))),
    `route ${route.path} declares its roles`,
  );
  checkOwnershipDeclaration(route.path, route.roles, route.ownership);
}

/** The target the ownership rule let the caller act on; only for routes whose every caller is subject to the rule. */
export function ownedTarget(access: Access): string {
  assert(access.target !== null, "BUG: ownedTarget on a route where a caller can pass without an ownership target");
  return access.target;
}

/** The roles an ownership rule can let through (everyone else on the route must hold an unrestricted role). */
export function rolesSubjectTo(ownership: Ownership): readonly Role[] {
  switch (ownership.kind) {
    case "none":
      return [];
    case "self":
      return ["resident", "proxy", "merchant_owner", "merchant_staff"];
    case "resident":
      return ownership.proxy === "none" ? ["resident"] : ["resident", "proxy"];
    case "shop":
      return ownership.staff === "any" ? ["merchant_owner", "merchant_staff"] : ["merchant_owner"];
    case "device":
      return ["terminal"];
  }
}

/** A rule that can never let a declared role through, or a target that cannot exist, is a declaration bug. */
function checkOwnershipDeclaration(path: string, roles: RouteRoles, ownership: RouteOwnership | undefined): void {
  if (ownership === undefined || ownership.kind === "none") return;
  assert(roles !== "public", `route ${path}: a public route has no ownership rule`);
  const subject = rolesSubjectTo(ownership);
  for (const role of roles) {
    assert(unrestrictedRoles.includes(role) || subject.includes(role), `route ${path}: role ${role} can never pass its ${ownership.kind} ownership rule`);
  }
  assert(roles.some((r) => subject.includes(r)), `route ${path}: no declared role is subject to its ${ownership.kind} ownership rule`);
  const source = ownership.target ?? { param: "id" };
  if ("param" in source) assert(path.includes(`{${source.param}}`), `route ${path}: ownership target {${source.param}} is in the path`);
  if ("caller" in source) assert(ownership.kind !== "shop", `route ${path}: a user may work at several shops; name the shop`);
}

export interface Registry {
  readonly routes: readonly Route[];
}

/** The Hono path of an OpenAPI path: {id} → :id. */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ":$1");
}

/** May this principal call this route by its roles? (Ownership, where declared, is decided after this.) */
export function isAllowed(route: Pick<Route, "roles">, principal: Principal | null): boolean {
  if (route.roles === "public") return true;
  if (principal === null) return false;
  const allowed: readonly Role[] = route.roles;
  return principal.roles.some((r) => allowed.includes(r));
}

/** Authentication and the role check: before anything of the request is read, so a refused caller learns nothing. */
async function authenticateFor(route: Route, authenticate: Authenticate, request: Request): Promise<Principal | null> {
  if (route.roles === "public") return null;
  const outcome = await authenticate(request);
  if (outcome === null) {
    throw new ProblemError("unauthorized", "send Authorization: Bearer <token>", { "WWW-Authenticate": 'Bearer realm="tsubaki"' });
  }
  if (isAuthFailure(outcome)) {
    const error = outcome.failure.startsWith("token_") ? ', error="invalid_token"' : "";
    throw new ProblemError(outcome.failure, outcome.detail, { "WWW-Authenticate": `Bearer realm="tsubaki"${error}` });
  }
  if (!isAllowed(route, outcome)) throw new ProblemError("forbidden", `this endpoint needs one of the roles: ${route.roles.join(", ")}`);
  return outcome;
}

type RawBody = { value: unknown } | { malformed: true };

async function readRawBody(request: Request): Promise<RawBody> {
  const text = await request.text();
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { malformed: true };
  }
}

function bodyField(raw: RawBody | undefined, name: string): string | null {
  if (raw === undefined || !("value" in raw)) return null;
  const value = raw.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === "string" ? field : null;
}

function queryField(query: unknown, name: string): string | null {
  const value = query !== null && typeof query === "object" ? (query as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : null;
}

/** The target id of an ownership rule, or "caller" when the caller's own thing is meant. */
async function targetOf(source: TargetSource, input: TargetInput, raw: RawBody | undefined): Promise<string | null | "caller"> {
  if ("caller" in source) return "caller";
  if ("param" in source) return queryField(input.params, source.param);
  if ("query" in source) return queryField(input.query, source.query) ?? (source.orCaller ? "caller" : null);
  if ("body" in source) return bodyField(raw, source.body);
  return source.resolve(input);
}

function holdsUnrestrictedRole(route: Route, principal: Principal): boolean {
  return route.roles !== "public" && principal.roles.some((r) => unrestrictedRoles.includes(r) && (route.roles as readonly Role[]).includes(r));
}

/** Users linked to a resident record remembered at most, and for how long (a bound, not a freshness rule). */
export const residentLinksMax = 50_000;
export const residentLinkTtlMs = 10 * 60_000;

/**
 * user id → their resident id. A resident's user_id is set when the resident is created and never changed, and
 * residents are not deleted, so a link once found stays true; "no resident" is not remembered (a user may be
 * linked later). Oldest entries are dropped past residentLinksMax.
 */
export class ResidentLinks {
  readonly #links = new Map<string, { residentId: string; expiresAtMs: number }>();

  constructor(
    private readonly identity: Pick<AppDeps["identity"], "findResidentByUser">,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async residentOf(userId: string): Promise<string | null> {
    const known = this.#links.get(userId);
    if (known && known.expiresAtMs > this.nowMs()) return known.residentId;
    const resident = await this.identity.findResidentByUser(userId);
    if (resident === null) return null;
    this.#links.delete(userId);
    if (this.#links.size >= residentLinksMax) {
      const oldest = this.#links.keys().next();
      if (!oldest.done) this.#links.delete(oldest.value);
    }
    this.#links.set(userId, { residentId: resident.id, expiresAtMs: this.nowMs() + residentLinkTtlMs });
    return resident.id;
  }
}

/**
 * The ownership decision: the rule's target, the facts it needs (fresh from the identity store), decideAccess.
 * Throws 403 forbidden when it says no.
 */
async function decideOwnership(
  route: Route,
  principal: Principal | null,
  input: Omit<TargetInput, "principal">,
  raw: RawBody | undefined,
  links: ResidentLinks,
): Promise<Access> {
  if (principal === null) return { actingAs: "public", target: null, proxy: null };
  const ownership = route.ownership ?? { kind: "none" };
  const rule = { roles: route.roles, ownership };
  if (ownership.kind === "none" || holdsUnrestrictedRole(route, principal)) {
    const decision = decideAccess(rule, principal, null);
    assert(decision.ok, `BUG: ${route.path}: a caller past the role check is let in when no ownership rule applies`);
    return { actingAs: decision.actingAs, target: null, proxy: null };
  }
  const found = await targetOf(route.ownership?.target ?? { param: "id" }, { ...input, principal }, raw);
  const named = found === "caller" || found === null || found.length <= targetLengthMax ? found : null;
  let facts: OwnershipFacts = {};
  let target: string | null;
  if (ownership.kind === "resident") {
    const residentId = named === "caller" || named === null ? undefined : named;
    // The caller's own resident (the commonest case: a resident paying or reading their own wallet) needs only the
    // user → resident link, which never changes once made: named by the access token's rid claim when it has one
    // (signed), else remembered, so it costs no query. A named resident (a proxy's ?resident=) still reads the
    // facts fresh, so a revoked grant is refused at once.
    facts =
      residentId === undefined
        ? { callerResidentId: principal.residentId ?? (await links.residentOf(principal.subject)) }
        : await input.deps.identity.ownershipFacts(principal.subject, { residentId });
    target = named === "caller" ? (facts.callerResidentId ?? null) : named;
  } else if (ownership.kind === "shop") {
    target = named === "caller" ? null : named;
    if (target !== null) facts = await input.deps.identity.ownershipFacts(principal.subject, { shopId: target });
  } else {
    target = named === "caller" ? principal.subject : named;
  }
  const decision = decideAccess(rule, principal, target, facts);
  if (!decision.ok) throw new ProblemError(decision.code, decision.detail);
  if (decision.actingAs !== "proxy" || target === null) return { actingAs: decision.actingAs, target, proxy: null };
  const proxy = await input.deps.identity.findActiveProxy(target, principal.subject);
  // Revoked between the two reads: refused like any revoked proxy.
  if (proxy === null) throw new ProblemError("forbidden", "not your account, and no proxy grant allows this");
  return { actingAs: "proxy", target, proxy };
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, onError: (e: z.ZodError) => ProblemError): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw onError(parsed.error);
  return parsed.data;
}

export function replyToResponse(reply: Reply): Response {
  if ("response" in reply) return reply.response;
  if ("text" in reply) return new Response(reply.text, { status: reply.status, headers: { "Content-Type": reply.contentType, ...reply.headers } });
  if ("html" in reply) {
    return new Response(reply.html, { status: reply.status, headers: { "Content-Type": "text/html; charset=utf-8", ...reply.headers } });
  }
  return new Response(toJsonText(reply.json), {
    status: reply.status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...reply.headers },
  });
}

/** Mounts every route on the app: authentication and roles, then ownership, then validation, then the handler. */
export function mountRoutes(app: Hono<AppEnv>, routes: readonly Route[], deps: AppDeps, authenticate: Authenticate): Registry {
  const registry: Registry = { routes };
  const links = new ResidentLinks(deps.identity);
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    checkRouteDeclaration(route);
    assert(!seen.has(key), `route ${key} is declared once`);
    seen.add(key);
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c: Context<AppEnv>) => {
      const principal = await authenticateFor(route, authenticate, c.req.raw);
      const { params: paramsSchema, query: querySchema, body: bodySchema } = route.request ?? {};
      // Path and query are checked against their schemas only after access is decided; the target is read raw.
      const rawParams = c.req.param();
      const rawQuery = c.req.query();
      const target = route.ownership?.target;
      const raw = bodySchema || (target && "body" in target) ? await readRawBody(c.req.raw) : undefined;
      const access = await decideOwnership(route, principal, { params: rawParams, query: rawQuery, deps }, raw, links);
      const params = paramsSchema ? parseWith(paramsSchema, rawParams, (e) => parameterProblem(e, "path")) : undefined;
      const query = querySchema ? parseWith(querySchema, rawQuery, (e) => parameterProblem(e, "query")) : undefined;
      let body: unknown = undefined;
      if (bodySchema) {
        if (raw === undefined || !("value" in raw)) throw new ProblemError("malformed_json", "the body is not valid JSON");
        body = parseWith(bodySchema, raw.value, (e) => bodyProblem(e, route.bodyFieldCodes));
      }
      const reply = await route.handler({
        params,
        query,
        body,
        principal,
        access,
        clientAddress: c.get("clientAddress") ?? null,
        requestId: c.get("requestId"),
        deps,
        request: c.req.raw,
        registry,
      });
      return replyToResponse(reply);
    });
  }
  return registry;
}
