// Home: today's sales (GET /v1/merchant/summary) and payments as they arrive. The feed reads the SSE stream
// GET /v1/merchant/events through fetch (EventSource cannot send the bearer token) and falls back to long polling
// GET /v1/merchant/events/poll when the stream cannot be opened; each new payment beeps and shows a large notice
// that screen readers announce.
import { Button, ErrorMessage, formatYen, Layout, kitMessages, useApiGet, useMessages, type ApiProblem, type ApiResult } from "@tsubaki/ui";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";
import { merchantMessages } from "../messages";
import { beep, useShop, type MyShop } from "../shop";

interface Summary {
  payments_count: number;
  gross_yen: number;
  refunded_yen: number;
  net_yen: number;
}

interface PaymentEvent {
  id: number;
  type: string;
  payment_id: string;
  amount_yen: number;
  at: string;
}

/** Events kept on screen. */
const feedLengthMax = 20;
const pollWaitSeconds = 10; // below the client's 15 s request timeout
const retryMs = 3_000;
/** Bytes of one unfinished server-sent event kept while it arrives; an event is far smaller. */
const sseEventCharsMax = 64_000;

type FeedMode = "sse" | "poll";
type Sink = (events: PaymentEvent[]) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads server-sent events until the stream ends; returns the last event id seen. */
async function readSse(body: ReadableStream<Uint8Array>, after: number | null, sink: Sink): Promise<number | null> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let last = after;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return last;
    buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, "\n");
    if (buffer.length > sseEventCharsMax) throw new Error("an event larger than sseEventCharsMax");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
        else if (line.startsWith("id:") && /^\d+$/.test(line.slice(3).trim())) last = Number(line.slice(3).trim());
      }
      if (type === "payment" && data) sink([JSON.parse(data) as PaymentEvent]);
      if (type === "ready" && data && last === null) last = (JSON.parse(data) as { last_event_id: number | null }).last_event_id ?? null;
    }
  }
}

/** Live payments: the SSE stream first; when it cannot be opened, long polling for the rest of the visit. */
function useLiveFeed(shopId: string): { events: PaymentEvent[]; problem: ApiProblem | null; mode: FeedMode } {
  const [events, setEvents] = useState<PaymentEvent[]>([]);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [mode, setMode] = useState<FeedMode>("sse");
  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    const shop = `shop_id=${encodeURIComponent(shopId)}`;
    const sink: Sink = (arrived) => {
      const payments = arrived.filter((e) => e.type === "payment");
      if (payments.length === 0) return;
      beep();
      setEvents((old) => [...payments.reverse(), ...old].slice(0, feedLengthMax));
    };
    const poll = async (after: number | null) => {
      setMode("poll");
      while (!signal.aborted) {
        const path: string = after === null ? `/v1/merchant/events/poll?${shop}` : `/v1/merchant/events/poll?${shop}&after=${after}&wait_s=${pollWaitSeconds}`;
        const r: ApiResult<{ events: PaymentEvent[]; last_event_id: number }> = await api.get(path, { signal });
        if (signal.aborted) return;
        if (!r.ok) {
          setProblem(r.problem);
          await sleep(retryMs);
          continue;
        }
        setProblem(null);
        after = r.data.last_event_id;
        sink(r.data.events);
      }
    };
    void (async () => {
      let after: number | null = null;
      while (!signal.aborted) {
        const opened = await api.stream(`/v1/merchant/events?${shop}`, { signal, headers: after === null ? {} : { "Last-Event-ID": String(after) } });
        if (signal.aborted) return;
        if (!opened.ok) return poll(after);
        setMode("sse");
        setProblem(null);
        try {
          after = await readSse(opened.data, after, sink);
        } catch {
          if (signal.aborted) return;
        }
        await sleep(retryMs);
      }
    })();
    return () => controller.abort();
  }, [shopId]);
  return { events, problem, mode };
}

function ShopHome({ shop }: { shop: MyShop }) {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const { events, problem, mode } = useLiveFeed(shop.id);
  const [summary, reload] = useApiGet<Summary>(api, `/v1/merchant/summary?shop_id=${encodeURIComponent(shop.id)}`);
  useEffect(() => {
    if (events.length > 0) reload();
  }, [events.length, reload]);
  const latest = events[0];
  return (
    <div class="ts-stack">
      <p class="ts-lead">{shop.name_ja}</p>
      <div aria-live="assertive" aria-atomic="true">
        {latest ? (
          <p class="ts-arrived" data-testid="arrived">
            {t("home.arrived", { amount: formatYen(latest.amount_yen) })}
          </p>
        ) : null}
      </div>
      <section class="ts-card" aria-labelledby="today">
        <h2 id="today">{t("home.today")}</h2>
        {summary.state === "ok" ? (
          <>
            <p class="ts-amount-big" data-testid="today-gross">
              {formatYen(summary.data.gross_yen)}
            </p>
            <p>{t("home.count", { count: summary.data.payments_count })}</p>
            <p class="ts-muted">{t("home.net", { amount: formatYen(summary.data.net_yen) })}</p>
          </>
        ) : null}
        {summary.state === "loading" ? <p role="status">{k("loading")}</p> : null}
        {summary.state === "error" ? <ErrorMessage problem={summary.problem} /> : null}
      </section>
      <section class="ts-stack" aria-labelledby="live" data-feed={mode}>
        <h2 id="live">{t("home.live")}</h2>
        {problem ? <ErrorMessage problem={problem} /> : null}
        {events.length === 0 ? (
          <p class="ts-muted">{t("home.liveNone")}</p>
        ) : (
          <ul class="ts-list" data-testid="feed">
            {events.map((e) => (
              <li key={e.id}>
                <strong>{formatYen(e.amount_yen)}</strong>
                <span class="ts-muted">{new Date(e.at).toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo" })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function HomeScreen() {
  const t = useMessages(merchantMessages);
  const k = useMessages(kitMessages);
  const shop = useShop();
  return (
    <Layout appName={t("appName")} title={t("home.title")} nav={useNav()}>
      {shop.state === "loading" ? <p role="status">{k("loading")}</p> : null}
      {shop.state === "error" ? <ErrorMessage problem={shop.problem} /> : null}
      {shop.state === "ok" && shop.data === null ? <p>{t("home.noShop")}</p> : null}
      {shop.state === "ok" && shop.data !== null ? <ShopHome shop={shop.data} /> : null}
      <Button variant="quiet" onClick={() => void api.logout()}>
        {k("logout")}
      </Button>
    </Layout>
  );
}
