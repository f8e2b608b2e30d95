// Payments on a real HTTP server (@hono/node-server on a free port): one resident paying at two shops at once never
// overdraws (the ledger's no-overdraft rule decides, the service re-plans), the shop's SSE stream delivers a
// payment within a second of its commit and resumes with Last-Event-ID, the long poll is the fallback; and the
// shop's sales, CSV and summary. Concurrency runs on the real PostgreSQL server.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, expectProblem } from "./harness";
import { available, call, days, giveCoins, grantLot, newCampaign, newResident, newShop, openPaymentsHarness, stickerOf, uniq, type PaymentsHarness } from "./payments-kit";

async function listen(h: PaymentsHarness): Promise<{ server: ServerType; base: string }> {
  const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

/** A JSON body from a response (the test asserts its shape). */
const json = (r: Response): Promise<any> => r.json();

function post(base: string, path: string, token: string, body: unknown, key = uniq("k")) {
  return fetch(`${base}${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body) });
}

/** Reads server-sent events from a fetch response as they arrive. */
class SseReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  readonly events: { event: string; id: string | null; data: string; atMs: number }[] = [];
  private waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(response: Response) {
    const reader = response.body!.getReader();
    this.done = (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) break;
        this.buffer += this.decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf("\n\n")) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const lines = block.split("\n");
          const field = (name: string) => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
          const event = field("event")[0];
          if (event) this.events.push({ event, id: field("id")[0] ?? null, data: field("data").join("\n"), atMs: performance.now() });
        }
        for (const w of this.waiters.splice(0)) w();
      }
    })();
  }

  async next(type: string, timeoutMs = 3000): Promise<{ event: string; id: string | null; data: string; atMs: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => e.event === type);
      if (index >= 0) return this.events.splice(index, 1)[0]!;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${type} event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

describe("payments on a real server (postgres)", () => {
  let h: PaymentsHarness;
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    h = await openPaymentsHarness("postgres");
    ({ server, base } = await listen(h));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await h?.close();
  });

  it("never overdraws a resident paying at two shops at once: exactly what the wallet holds is paid", async () => {
    const payer = await newResident(h);
    const shopA = await newShop(h);
    const shopB = await newShop(h);
    const campaign = await newCampaign(h);
    const lot1 = await grantLot(h, campaign, payer.residentId, 250n, new Date(Date.now() + days(5)));
    const lot2 = await grantLot(h, campaign, payer.residentId, 350n, new Date(Date.now() + days(9)));
    await giveCoins(h, payer.residentId, 400n); // ¥1,000 in all
    const [qrA, qrB] = [await stickerOf(h, shopA), await stickerOf(h, shopB)];
    const attempts = 40;
    const responses = await Promise.all(
      Array.from({ length: attempts }, (_, i) => post(base, "/v1/payments", payer.token, { qr: i % 2 === 0 ? qrA : qrB, amount_yen: 100 }).then(async (r) => ({ status: r.status, body: await json(r) }))),
    );
    const paid = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    expect(paid.length).toBe(10);
    expect(refused.every((r) => r.status === 422 && r.body.code === "insufficient_funds")).toBe(true);
    expect(await available(h, lot1.accountId)).toBe(0);
    expect(await available(h, lot2.accountId)).toBe(0);
    expect(await available(h, `res:${payer.residentId}:coins`)).toBe(0);
    expect((await available(h, `mer:${shopA.shop.id}`)) + (await available(h, `mer:${shopB.shop.id}`))).toBe(1000);
    const rows = await h.db.query<{ n: number; s: string }>(`SELECT count(*)::int AS n, sum(amount_yen)::text AS s FROM payments WHERE payer_resident_id = $1`, [payer.residentId]);
    expect(rows[0]).toEqual({ n: 10, s: "1000" });
    const report = await h.ledger.audit();
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });

  it("streams a shop's payment over SSE within a second of its commit, and resumes with Last-Event-ID", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 10_000n);
    const qr = await stickerOf(h, shop);
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/merchant/events?shop_id=${shop.shop.id}`, { headers: { Authorization: `Bearer ${shop.ownerToken}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const stream = new SseReader(response);
    await stream.next("ready");

    const paid = await post(base, "/v1/payments", payer.token, { qr, amount_yen: 321 });
    const committedAtMs = performance.now();
    const payment = await json(paid);
    expect(paid.status).toBe(201);
    const event = await stream.next("payment");
    expect(event.atMs - committedAtMs).toBeLessThan(1000);
    const data = JSON.parse(event.data);
    expect(data).toMatchObject({ type: "payment", shop_id: shop.shop.id, payment_id: payment.payment_id, amount_yen: 321, kind: "pay" });
    expect(event.id).toBe(String(data.id));
    controller.abort();

    // While the register is offline two payments arrive; reconnecting with Last-Event-ID delivers both, in order.
    const missed: string[] = [];
    for (const amount of [11, 12]) missed.push((await json(await post(base, "/v1/payments", payer.token, { qr, amount_yen: amount }))).payment_id);
    const resumedController = new AbortController();
    const resumed = new SseReader(await fetch(`${base}/v1/merchant/events?shop_id=${shop.shop.id}`, { headers: { Authorization: `Bearer ${shop.ownerToken}`, "Last-Event-ID": event.id! }, signal: resumedController.signal }));
    const first = JSON.parse((await resumed.next("payment")).data);
    const second = JSON.parse((await resumed.next("payment")).data);
    expect([first.payment_id, second.payment_id]).toEqual(missed);
    resumedController.abort();

    // The long poll: what came after an id, and with wait_s the next payment as it happens.
    const polled = await json(await fetch(`${base}/v1/merchant/events/poll?shop_id=${shop.shop.id}&after=${event.id}`, { headers: { Authorization: `Bearer ${shop.ownerToken}` } }));
    expect(polled.events.map((e: { payment_id: string }) => e.payment_id)).toEqual(missed);
    const waiting = fetch(`${base}/v1/merchant/events/poll?shop_id=${shop.shop.id}&after=${polled.last_event_id}&wait_s=5`, { headers: { Authorization: `Bearer ${shop.ownerToken}` } });
    await new Promise((r) => setTimeout(r, 100));
    const next = await json(await post(base, "/v1/payments", payer.token, { qr, amount_yen: 13 }));
    const woken = await json(await waiting);
    expect(woken.events.map((e: { payment_id: string }) => e.payment_id)).toEqual([next.payment_id]);

    // Another shop's people cannot listen.
    const stranger = await newShop(h);
    expect((await fetch(`${base}/v1/merchant/events?shop_id=${shop.shop.id}`, { headers: { Authorization: `Bearer ${stranger.ownerToken}` } })).status).toBe(403);
  });
});

describe.each(backends)("a shop's sales on %s", (backend) => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await openPaymentsHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("lists sales newest first with a cursor, as CSV for a day, and today's summary", async () => {
    const payer = await newResident(h);
    const shop = await newShop(h);
    await giveCoins(h, payer.residentId, 10_000n);
    const qr = await stickerOf(h, shop);
    const ids: string[] = [];
    for (const amount of [100, 200, 300, 400, 500]) ids.push((await call(h, "POST", "/v1/payments", { token: payer.token, key: uniq("k"), body: { qr, amount_yen: amount } })).body.payment_id);
    const page1 = await call(h, "GET", `/v1/merchant/sales?shop_id=${shop.shop.id}&limit=2`, { token: shop.ownerToken });
    expect(page1.body.payments.map((p: { amount_yen: number }) => p.amount_yen)).toEqual([500, 400]);
    const page2 = await call(h, "GET", `/v1/merchant/sales?shop_id=${shop.shop.id}&limit=2&cursor=${page1.body.next_cursor}`, { token: shop.ownerToken });
    expect(page2.body.payments.map((p: { amount_yen: number }) => p.amount_yen)).toEqual([300, 200]);
    const page3 = await call(h, "GET", `/v1/merchant/sales?shop_id=${shop.shop.id}&limit=2&cursor=${page2.body.next_cursor}`, { token: shop.ownerToken });
    expect(page3.body).toMatchObject({ next_cursor: null });
    expect(page3.body.payments.map((p: { payment_id: string }) => p.payment_id)).toEqual([ids[0]]);
    expectProblem(await call(h, "GET", `/v1/merchant/sales?shop_id=${shop.shop.id}&limit=101`, { token: shop.ownerToken }), 400, "invalid_request");

    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const csv = await h.app.request(`/v1/merchant/sales.csv?shop_id=${shop.shop.id}&date=${today}`, { headers: { Authorization: `Bearer ${shop.ownerToken}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("payment_id,paid_at,kind,amount_yen,points_yen,coins_yen,refunded_yen,request_id");
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(["100", "200", "300", "400", "500"]);
    const summary = await call(h, "GET", `/v1/merchant/summary?shop_id=${shop.shop.id}`, { token: shop.ownerToken });
    expect(summary.body).toMatchObject({ date: today, payments_count: 5, gross_yen: 1500, refunds_count: 0, net_yen: 1500 });
    const poster = await h.app.request(`/v1/merchant/poster?shop_id=${shop.shop.id}`, { headers: { Authorization: `Bearer ${shop.ownerToken}` } });
    expect(poster.status).toBe(200);
    const html = await poster.text();
    expect(html).toContain(shop.shop.nameJa);
    expect(html).toContain("<svg");
  });
});
