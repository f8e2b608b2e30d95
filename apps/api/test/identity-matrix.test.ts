// The authorization matrix: every registered route × every kind of caller (each role, anonymous, an expired
// token), and where a route has an ownership rule, the caller's own resident / shop / terminal / account and
// someone else's. The expectation is derived from the route's declaration alone and compared with what the API
// does. Handlers are replaced by a stub (access is decided before any handler runs, so nothing is written and the
// matrix tests the one place where access is decided); authentication is real (logins, signed terminal requests,
// the service token) and so are the ownership facts (read from the database).
import { issueAccessToken, unrestrictedRoles, type Role } from "@tsubaki/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type TsubakiApp } from "../src/app";
import { createLogger } from "../src/log";
import { routes as allRoutes } from "../src/routes";
import { defineRoute, type Route, type TargetSource } from "../src/routes/registry";
import { backends, call, openHarness, serviceToken, type CallResult, type Harness } from "./harness";
import { admin, makeResident, makeShop, makeUser, pairTerminal, terminalCall, tokensOf, type Terminal } from "./identity-kit";

/** What a caller owns, by the kind of thing an ownership rule is about. */
interface Things {
  resident: string;
  shop: string;
  device: string;
  user: string;
}

interface Caller {
  name: string;
  roles: readonly Role[];
  /** null: not authenticated (anonymous) or authenticated with a token that must be refused. */
  refusedWith: string | null;
  /** How this caller relates to its own things (undefined: it has none of that kind). */
  owns: Partial<Things>;
  send(method: string, path: string, body?: unknown): Promise<CallResult>;
}

type Case = "own" | "other" | "caller" | "plain";
type Expectation = "allow" | "unauthorized" | "token_expired" | "forbidden";

const kindKey = { resident: "resident", shop: "shop", device: "device", self: "user" } as const;

function sourceOf(route: Route): TargetSource {
  return route.ownership?.target ?? { param: "id" };
}

function ruleApplies(route: Route): boolean {
  return route.ownership !== undefined && route.ownership.kind !== "none";
}

/** The answer the declaration demands for this caller and case. */
function expected(route: Route, caller: Caller, which: Case, proxyGrant: { view: boolean; pay: boolean }): Expectation {
  if (route.roles === "public") return "allow";
  if (caller.refusedWith !== null) return caller.refusedWith as Expectation;
  const held = caller.roles.filter((r) => (route.roles as readonly Role[]).includes(r));
  if (held.length === 0) return "forbidden";
  const ownership = route.ownership;
  if (ownership === undefined || ownership.kind === "none" || held.some((r) => unrestrictedRoles.includes(r))) return "allow";
  if (which === "other") return "forbidden";
  switch (ownership.kind) {
    case "resident": {
      if (held.includes("resident") && caller.owns.resident !== undefined) return "allow";
      // A proxy's "own" resident is the one who granted it; a proxy acting as "caller" has no resident of its own.
      if (which === "own" && held.includes("proxy") && caller.owns.resident !== undefined) {
        const allowed = ownership.proxy === "view" ? proxyGrant.view : ownership.proxy === "pay" ? proxyGrant.pay : false;
        return allowed ? "allow" : "forbidden";
      }
      return "forbidden";
    }
    case "shop":
      if (held.includes("merchant_owner") && caller.name === "merchant_owner") return "allow";
      if (held.includes("merchant_staff") && caller.name === "merchant_staff" && ownership.staff === "any") return "allow";
      return "forbidden";
    case "device":
      return held.includes("terminal") ? "allow" : "forbidden";
    case "self":
      return "allow";
  }
}

function observed(r: CallResult): Expectation | "error" {
  if (r.status === 401) return r.body?.code === "token_expired" ? "token_expired" : "unauthorized";
  if (r.status === 403 && r.body?.code === "forbidden") return "forbidden";
  if (r.status >= 500) return "error";
  return "allow";
}

describe.each(backends)("authorization matrix on %s", (backend) => {
  let h: Harness;
  let probe: TsubakiApp;
  const callers: Caller[] = [];
  const fixture = {} as { mine: Things; theirs: Things; grantOfA: string; grantOfB: string };
  const proxyGrant = { view: true, pay: true };

  beforeAll(async () => {
    h = await openHarness(backend);
    const { identity } = h;
    const [a, b, p, o1, o2, t1] = await Promise.all([makeUser(identity), makeUser(identity), makeUser(identity), makeUser(identity), makeUser(identity), makeUser(identity)]);
    const [ra, rb, s1, s2] = await Promise.all([makeResident(identity, a.id), makeResident(identity, b.id), makeShop(identity), makeShop(identity)]);
    const grantA = await identity.grantProxy({ grantorResidentId: ra, proxyUserId: p.id, dailyLimitYen: 5000n, canViewHistory: true }, admin);
    const other = await makeUser(identity);
    const grantB = await identity.grantProxy({ grantorResidentId: rb, proxyUserId: other.id, dailyLimitYen: 1000n, canViewHistory: true }, admin);
    if (!grantA.ok || !grantB.ok) throw new Error("grants");
    for (const [shop, user, role] of [[s1, o1.id, "owner"], [s2, o2.id, "owner"], [s1, t1.id, "staff"]] as const) {
      const set = await identity.setShopStaff(shop, user, role, admin);
      if (!set.ok) throw new Error(set.code);
    }
    const d1: Terminal = await pairTerminal(h.app, identity, "端末1");
    const d2: Terminal = await pairTerminal(h.app, identity, "端末2");
    fixture.mine = { resident: ra, shop: s1, device: d1.id, user: a.id };
    fixture.theirs = { resident: rb, shop: s2, device: d2.id, user: b.id };
    fixture.grantOfA = grantA.proxy.id;
    fixture.grantOfB = grantB.proxy.id;

    const bearer = (token: string | null) => (method: string, path: string, body?: unknown) => call(probe, method, path, { token, ...(body === undefined ? {} : { body }) });
    const user = async (name: string, login: string, roles: Role[], owns: Partial<Things>) => {
      const tokens = await tokensOf(h.app, login);
      callers.push({ name, roles, refusedWith: null, owns, send: bearer(tokens.access_token) });
    };
    await user("resident", a.login, ["resident"], { resident: ra, user: a.id });
    await user("proxy", p.login, ["proxy"], { resident: ra, user: p.id });
    await user("merchant_owner", o1.login, ["merchant_owner"], { shop: s1, user: o1.id });
    await user("merchant_staff", t1.login, ["merchant_staff"], { shop: s1, user: t1.id });
    for (const role of ["counter_staff", "admin_operator", "admin_approver", "admin_auditor"] as const) {
      const staff = await makeUser(identity, { roles: [role] });
      await user(role, staff.login, [role], { user: staff.id });
    }
    callers.push({ name: "terminal", roles: ["terminal"], refusedWith: null, owns: { device: d1.id }, send: (m, path, body) => terminalCall(probe, d1, m, path, body) });
    callers.push({ name: "service", roles: ["service"], refusedWith: null, owns: {}, send: bearer(serviceToken) });
    callers.push({ name: "anonymous", roles: [], refusedWith: "unauthorized", owns: {}, send: bearer(null) });
    const expired = await issueAccessToken({ sub: a.id, roles: ["resident"] }, await h.auth.keys.get(), {
      issuer: h.config.jwtIssuer,
      audience: h.config.jwtAudience,
      ttlSeconds: 900,
      now: new Date(Date.now() - 3600_000),
    });
    callers.push({ name: "expired token", roles: ["resident"], refusedWith: "token_expired", owns: { resident: ra }, send: bearer(expired.token) });

    // The same declarations, every handler replaced: only authentication and authorization run.
    const stubbed = h.app.registry.routes.map((r): Route => ({ ...r, handler: () => ({ status: 200, json: { reached: true } }) }));
    probe = createApp({ ledger: h.ledger, identity: h.identity, auth: h.auth, config: h.config, logger: createLogger("silent"), routes: stubbed });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Custom target lookups cannot be derived from the declaration: their own and someone else's target, by route. */
  const resolverFixtures: Record<string, (which: "own" | "other") => Record<string, string>> = {
    "DELETE /v1/wallet/proxies/{id}": (which) => ({ id: which === "own" ? fixture.grantOfA : fixture.grantOfB }),
  };

  function request(route: Route, caller: Caller, which: Case): { path: string; body?: unknown } | null {
    const params: Record<string, string> = {};
    const query: Record<string, string> = {};
    let body: unknown = undefined;
    if (which !== "plain" && ruleApplies(route)) {
      const kind = kindKey[route.ownership!.kind as keyof typeof kindKey];
      const source = sourceOf(route);
      const target = which === "own" ? (caller.owns[kind] ?? fixture.mine[kind]) : which === "other" ? fixture.theirs[kind] : null;
      if ("resolve" in source) {
        const fixtureOf = resolverFixtures[`${route.method.toUpperCase()} ${route.path}`];
        if (!fixtureOf) return null;
        Object.assign(params, fixtureOf(which === "other" ? "other" : "own"));
      } else if ("param" in source && target !== null) params[source.param] = target;
      else if ("query" in source && target !== null) query[source.query] = target;
      else if ("body" in source && target !== null) body = { [source.body]: target };
    }
    const path = route.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? "x0"));
    const search = new URLSearchParams(query).toString();
    return { path: search ? `${path}?${search}` : path, ...(body === undefined ? {} : { body }) };
  }

  function casesOf(route: Route): Case[] {
    if (!ruleApplies(route)) return ["plain"];
    const source = sourceOf(route);
    if ("caller" in source) return ["caller"];
    if ("query" in source && source.orCaller) return ["own", "other", "caller"];
    return ["own", "other"];
  }

  it("mounts every route of the API, each with a declaration", () => {
    expect(h.app.registry.routes.map((r) => `${r.method} ${r.path}`)).toEqual(allRoutes.map((r) => `${r.method} ${r.path}`));
    for (const route of h.app.registry.routes) expect(route.roles === "public" || route.roles.length > 0, route.path).toBe(true);
  });

  it("allows and refuses every route × caller exactly as the route declares", async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of h.app.registry.routes) {
      for (const which of casesOf(route)) {
        for (const caller of callers) {
          const req = request(route, caller, which);
          const label = `${route.method.toUpperCase()} ${route.path} [${which}] as ${caller.name}`;
          if (req === null) {
            mismatches.push(`${label}: a custom ownership lookup needs an entry in resolverFixtures`);
            continue;
          }
          const want = expected(route, caller, which, proxyGrant);
          const r = await caller.send(route.method.toUpperCase(), req.path, req.body);
          const got = observed(r);
          checked += 1;
          if (got !== want) mismatches.push(`${label} → ${req.path}: expected ${want}, got ${got} (${r.status} ${r.body?.code ?? ""} ${r.body?.detail ?? ""})`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(h.app.registry.routes.length * callers.length);
  });

  it("refuses a revoked proxy and a removed staff member on their very next request (nothing cached)", async () => {
    const { identity } = h;
    const p = await makeUser(identity);
    const r = await makeResident(identity, (await makeUser(identity)).id);
    const grant = await identity.grantProxy({ grantorResidentId: r, proxyUserId: p.id, dailyLimitYen: 1000n, canViewHistory: true }, admin);
    if (!grant.ok) throw new Error(grant.code);
    const token = (await tokensOf(h.app, p.login)).access_token;
    expect((await call(probe, "GET", `/v1/residents/${r}`, { token })).status).toBe(200);
    await identity.revokeProxy(grant.proxy.id, admin);
    expect(observed(await call(probe, "GET", `/v1/residents/${r}`, { token }))).toBe("forbidden");

    const s = await makeShop(identity);
    const t = await makeUser(identity);
    await identity.setShopStaff(s, (await makeUser(identity)).id, "owner", admin);
    await identity.setShopStaff(s, t.id, "staff", admin);
    const staffToken = (await tokensOf(h.app, t.login)).access_token;
    expect((await call(probe, "GET", `/v1/shops/${s}`, { token: staffToken })).status).toBe(200);
    await identity.removeShopStaff(s, t.id, admin);
    expect(observed(await call(probe, "GET", `/v1/shops/${s}`, { token: staffToken }))).toBe("forbidden");
  });
});

describe("declarations", () => {
  const handler = () => ({ status: 200, json: null });
  const base = { method: "get" as const, summary: "x", responses: {}, handler };

  it("refuses a route without roles, with no role, or with an unknown role (default deny)", () => {
    expect(() => defineRoute({ ...base, path: "/v1/x" } as never)).toThrow(/declares its roles/);
    expect(() => defineRoute({ ...base, path: "/v1/x", roles: [] as unknown as ["service"] })).toThrow(/declares its roles/);
    expect(() => defineRoute({ ...base, path: "/v1/x", roles: ["superuser"] as unknown as ["service"] })).toThrow(/declares its roles/);
  });

  it("refuses to mount a route object that was never declared, or a path declared twice", () => {
    const stray = { ...base, path: "/v1/stray" } as unknown as Route;
    const deps = { ledger: null as never, identity: null as never, auth: { keys: null, issuer: "i", audience: "a", now: () => new Date() } as never };
    const config = { bodyLimitBytes: 1024, serviceToken: null, logLevel: "silent" as const, jwtIssuer: "i", jwtAudience: "a", accessTokenTtlSeconds: 900 };
    expect(() => createApp({ ...deps, config, routes: [...allRoutes, stray] })).toThrow(/declares its roles/);
    const meRoute = allRoutes.find((r) => r.path === "/v1/me")!;
    expect(() => createApp({ ...deps, config, routes: [...allRoutes, meRoute] })).toThrow(/declared once/);
  });

  it("refuses ownership rules that cannot mean anything", () => {
    expect(() => defineRoute({ ...base, path: "/v1/x/{id}", roles: "public", ownership: { kind: "self" } })).toThrow(/public route has no ownership/);
    // merchant_owner can never pass a resident rule: a declaration bug, not a silent 403.
    expect(() => defineRoute({ ...base, path: "/v1/x/{id}", roles: ["resident", "merchant_owner"], ownership: { kind: "resident", proxy: "none" } })).toThrow(/can never pass/);
    expect(() => defineRoute({ ...base, path: "/v1/x/{id}", roles: ["resident", "proxy"], ownership: { kind: "resident", proxy: "none" } })).toThrow(/can never pass/);
    expect(() => defineRoute({ ...base, path: "/v1/x", roles: ["admin_operator"], ownership: { kind: "shop", staff: "any" } })).toThrow(/no declared role is subject/);
    expect(() => defineRoute({ ...base, path: "/v1/x", roles: ["resident"], ownership: { kind: "resident", proxy: "none" } })).toThrow(/target \{id\} is in the path/);
    expect(() => defineRoute({ ...base, path: "/v1/x", roles: ["merchant_owner"], ownership: { kind: "shop", staff: "owner", target: { caller: true } } })).toThrow(/several shops/);
  });
});
