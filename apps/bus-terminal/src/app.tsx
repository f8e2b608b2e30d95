// The terminal's screens: pairing (once), the door (camera → green or red, with a sound) and the driver view
// (rides today, queue, last sync, key and deny-list age, export). The door never waits for the network.
import { Button, Layout, Scanner, TextField, createRouter, formatYen, onlineStore, RouterProvider, useMessages, useStore } from "@tsubaki/ui";
import type { TapDecision } from "@tsubaki/ride";
import { useEffect, useRef, useState } from "preact/hooks";
import { terminalMessages } from "./messages";
import { Terminal } from "./terminal";

export const router = createRouter(import.meta.env.BASE_URL);
export const terminal = new Terminal();

/** How long a result stays before the door is ready for the next rider. */
const resultShowMs = 2_500;

function beep(ok: boolean): void {
  try {
    const audio = new AudioContext();
    const tones = ok ? [880] : [220, 220];
    tones.forEach((hz, i) => {
      const osc = audio.createOscillator();
      osc.frequency.value = hz;
      osc.connect(audio.destination);
      osc.start(audio.currentTime + i * 0.25);
      osc.stop(audio.currentTime + i * 0.25 + (ok ? 0.15 : 0.2));
    });
  } catch {
    // No audio (autoplay policy, headless): the screen alone says it.
  }
}

function PairScreen() {
  const t = useMessages(terminalMessages);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Layout appName={t("appName")} title={t("pair.title")}>
      <p>{t("pair.lead")}</p>
      <form
        class="ts-stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const result = await terminal.pair(code);
          setBusy(false);
          if (!result.ok) setError(t("pair.failed", { code: result.code }));
        }}
      >
        <TextField label={t("pair.code")} value={code} onValue={setCode} error={error} autocomplete="off" data-testid="pairing-code" />
        <Button type="submit" busy={busy} block>
          {t("pair.submit")}
        </Button>
      </form>
    </Layout>
  );
}

function Result({ decision, onNext }: { decision: TapDecision; onNext: () => void }) {
  const t = useMessages(terminalMessages);
  if (decision.ok) {
    return (
      <div class="bt-result bt-result--paid" role="status" data-testid="door-result" data-result="paid">
        <p class="bt-result__head">{t("door.paid")}</p>
        <p class="bt-result__fare">{t("door.fare", { fare: formatYen(decision.fareYen) })}</p>
        <p class="bt-result__line">{t("door.class", { class: t(`class.${decision.cert.fareClass}`) })}</p>
        <p class="bt-result__line">{t("door.remaining", { yen: formatYen(decision.remainingYen), taps: String(decision.remainingTaps) })}</p>
        <Button onClick={onNext}>{t("door.next")}</Button>
      </div>
    );
  }
  const already = decision.screen === "already_paid";
  return (
    <div class={`bt-result ${already ? "bt-result--already" : "bt-result--refused"}`} role="alert" data-testid="door-result" data-result={decision.code}>
      <p class="bt-result__head">{already ? t("door.alreadyPaid") : t("door.refused")}</p>
      <p class="bt-result__line" lang="ja">{decision.reasonJa}</p>
      <p class="bt-result__line" lang="en">{decision.reasonEn}</p>
      <Button onClick={onNext}>{t("door.next")}</Button>
    </div>
  );
}

function minutesSince(unixSeconds: number | null | undefined): number | null {
  return unixSeconds ? Math.max(0, Math.floor((Date.now() / 1000 - unixSeconds) / 60)) : null;
}

function DriverView() {
  const t = useMessages(terminalMessages);
  const status = useStore(terminal.status);
  const online = useStore(onlineStore);
  const queued = status.counts.pending + status.counts.sending + status.counts.exported;
  const ago = (n: number | null) => (n === null ? t("driver.never") : t("driver.minutesAgo", { n: String(n) }));
  return (
    <section aria-labelledby="driver-heading">
      <h2 id="driver-heading">{t("driver.title")}</h2>
      <dl class="bt-driver">
        <dt>{t("driver.tapsToday")}</dt>
        <dd data-testid="taps-today">{status.tapsToday}</dd>
        <dt>{t("driver.queue")}</dt>
        <dd data-testid="queue-length">{queued}</dd>
        <dt>{t("driver.rejected")}</dt>
        <dd data-testid="rejected">{status.counts.rejected}</dd>
        <dt>{t("driver.lastSync")}</dt>
        <dd data-testid="last-sync">{ago(status.lastSyncAt ? Math.floor(status.lastSyncAt / 1000) : null)}</dd>
        <dt>{t("driver.configAge")}</dt>
        <dd data-testid="config-age">{ago(minutesSince(status.config?.denyUpdatedAt))}</dd>
        <dt>{t("driver.online")}</dt>
        <dd>{online ? t("driver.onlineYes") : t("driver.onlineNo")}</dd>
      </dl>
      <label class="ts-field__label" for="route">
        {t("driver.route")}
      </label>
      <select id="route" value={status.routeId ?? ""} onChange={(e) => terminal.setRoute((e.target as HTMLSelectElement).value)}>
        {(status.config?.routes ?? []).map((r) => (
          <option key={r.id} value={r.id}>
            {r.nameJa} / {r.nameEn}
          </option>
        ))}
      </select>
      <Button
        variant="secondary"
        block
        onClick={async () => {
          const blob = await terminal.exportFile();
          const a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = `taps-${status.device?.terminalId ?? "terminal"}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "")}.json`;
          a.click();
          URL.revokeObjectURL(a.href);
        }}
      >
        {t("driver.export")}
      </Button>
    </section>
  );
}

function DoorScreen() {
  const t = useMessages(terminalMessages);
  const [decision, setDecision] = useState<TapDecision | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const busy = useRef(false);
  useEffect(() => () => clearTimeout(timer.current), []);
  const next = () => {
    clearTimeout(timer.current);
    setDecision(null);
  };
  const onResult = async (code: string) => {
    if (busy.current) return;
    busy.current = true;
    try {
      // Recorded durably inside terminal.tap before the green screen can show.
      const result = await terminal.tap(code);
      beep(result.ok);
      setDecision(result);
      clearTimeout(timer.current);
      timer.current = setTimeout(next, resultShowMs);
    } finally {
      busy.current = false;
    }
  };
  return (
    <Layout appName={t("appName")} title={t("door.title")}>
      {decision ? <Result decision={decision} onNext={next} /> : <p>{t("door.lead")}</p>}
      <Scanner onResult={(code) => void onResult(code)} />
      <DriverView />
    </Layout>
  );
}

function Screen() {
  const status = useStore(terminal.status);
  return status.device && status.config ? <DoorScreen /> : <PairScreen />;
}

export function App() {
  return (
    <RouterProvider router={router}>
      <Screen />
    </RouterProvider>
  );
}
