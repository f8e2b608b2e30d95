// The live stream of a shop's payments: server-sent events (Hono's SSE writer) fed by the in-process bus, with
// heartbeats so proxies and the shop's tablet keep the connection, and Last-Event-ID resume from the payments
// table so a register that lost its connection gets every payment it missed. A long poll is the fallback for
// networks that break streams.
import { SSEStreamingApi } from "hono/streaming";
import type { ShopEvent } from "./bus";
import { eventJson, shopEventsAfter } from "../services/payments-merchant";
import type { PaymentsContext } from "../services/payments-context";

/** A comment line this often keeps idle connections open through proxies. */
export const heartbeatIntervalMs = 15_000;
/** A stream closes after this long; EventSource reconnects with Last-Event-ID and misses nothing. */
export const streamLifetimeMs = 60 * 60_000;
/** Events waiting to be written to one slow stream; past it the stream is closed (the client resumes). */
export const streamQueueMax = 1000;
/** Pages of missed payments replayed on resume before going live. */
export const resumePagesMax = 100;
/** What EventSource waits before reconnecting. */
export const reconnectDelayMs = 2000;
/** Longest long poll. */
export const pollWaitSecondsMax = 25;

/** GET /v1/merchant/events: null when the shop already has too many streams open. */
export function shopEventStream(ctx: PaymentsContext, shopId: string, lastEventId: number | null, signal: AbortSignal): Response | null {
  const queue: ShopEvent[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const unsubscribe = ctx.bus.subscribe(shopId, (event) => {
    if (queue.length >= streamQueueMax) overflow = true;
    else queue.push(event);
    wake?.();
  });
  if (!unsubscribe) return null;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const stream = new SSEStreamingApi(writable, readable);
  const stop = () => {
    unsubscribe();
    wake?.();
  };
  stream.onAbort(stop);
  signal.addEventListener("abort", () => {
    stop();
    stream.abort();
  });

  const write = (event: ShopEvent) => stream.writeSSE({ event: event.type, id: String(event.id), data: JSON.stringify(eventJson(event)) });
  const run = async () => {
    let last = lastEventId ?? 0;
    await stream.writeSSE({ event: "ready", data: JSON.stringify({ shop_id: shopId, last_event_id: lastEventId }), retry: reconnectDelayMs });
    if (lastEventId !== null) {
      for (let page = 0; page < resumePagesMax; page++) {
        const missed = await shopEventsAfter(ctx, shopId, last);
        for (const event of missed) {
          await write(event);
          last = event.id;
        }
        if (missed.length === 0) break;
      }
    }
    const endsAt = Date.now() + streamLifetimeMs;
    while (!stream.aborted && !stream.closed && !overflow && Date.now() < endsAt) {
      const event = queue.shift();
      if (event) {
        if (lastEventId === null || event.id > last) {
          await write(event);
          last = Math.max(last, event.id);
        }
        continue;
      }
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), heartbeatIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = null;
      if (!woke && !stream.aborted) await stream.write(": heartbeat\n\n");
    }
  };
  run()
    .catch(() => {})
    .finally(() => {
      unsubscribe();
      void stream.close();
    });
  return new Response(stream.responseReadable, {
    status: 200,
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", Connection: "keep-alive", "X-Accel-Buffering": "no" },
  });
}

/** GET /v1/merchant/events/poll: payments after `after`; with waitSeconds, waits for the next one if none. */
export async function pollShopEvents(ctx: PaymentsContext, shopId: string, after: number | null, waitSeconds: number, signal: AbortSignal) {
  const start = after ?? (await ctx.store.shopLastSeq(shopId));
  let events = after === null ? [] : await shopEventsAfter(ctx, shopId, start);
  if (events.length === 0 && waitSeconds > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(waitSeconds, pollWaitSecondsMax) * 1000);
      const unsubscribe = ctx.bus.subscribe(shopId, done);
      signal.addEventListener("abort", done);
      function done() {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
    events = await shopEventsAfter(ctx, shopId, start);
  }
  const last = events[events.length - 1];
  return { events: events.map(eventJson), last_event_id: last ? last.id : start };
}
