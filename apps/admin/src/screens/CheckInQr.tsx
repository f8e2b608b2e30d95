// The check-in QR of an event, for a screen at the venue. The code rotates every minute and the server accepts it
// for two (see packages/qr checkin-code.ts): a photo posted online soon stops working. So this screen fetches the
// next code as the current one is replaced, and there is no print button — a printed code would be such a photo.
import { Button, ErrorMessage, formatYen, QrDisplay, useMessages, type ApiProblem } from "@tsubaki/ui";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { adminMessages } from "../messages";

interface CheckInCode {
  payload: string;
  rotates_at: string;
  expires_at: string;
  campaign: { name_ja: string; name_en: string; grant_yen: number | null; cap_per_person_yen: number };
}

/** Refetch a little after the rotation, never faster than this (a wrong clock must not hammer the server). */
const refetchDelayMinMs = 5_000;
const refetchDelayMaxMs = 60_000;

export function CheckInQr({ id }: { id: string }) {
  const t = useMessages(adminMessages);
  const [code, setCode] = useState<CheckInCode | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const figure = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const r = await api.get<CheckInCode>(`/v1/admin/campaigns/${encodeURIComponent(id)}/checkin-code`, { signal: controller.signal });
      if (controller.signal.aborted) return;
      setProblem(r.ok ? null : r.problem);
      if (r.ok) setCode(r.data);
      const wait = r.ok ? Date.parse(r.data.rotates_at) - Date.now() + 1_000 : refetchDelayMaxMs;
      timer = setTimeout(() => void load(), Math.min(Math.max(wait, refetchDelayMinMs), refetchDelayMaxMs));
    };
    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [id]);

  const time = (iso: string) => new Date(iso).toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
  return (
    <section class="ts-card ts-stack" data-testid="checkin">
      <h2>{t("checkin.title")}</h2>
      <p>{t("checkin.lead")}</p>
      {problem && <ErrorMessage problem={problem} />}
      {code && (
        <>
          <div ref={figure} data-testid="checkin-qr" data-payload={code.payload} style={{ background: "#fff", maxWidth: "28rem" }}>
            <QrDisplay payload={code.payload} label={t("checkin.title")} caption={code.campaign.name_ja} />
          </div>
          <p data-testid="checkin-amount">{t("checkin.amount", { yen: formatYen(code.campaign.grant_yen ?? code.campaign.cap_per_person_yen) })}</p>
          <p class="ts-field__hint">{t("checkin.next", { time: time(code.rotates_at) })}</p>
          <Button variant="secondary" onClick={() => void figure.current?.requestFullscreen?.()}>
            {t("checkin.fullscreen")}
          </Button>
        </>
      )}
    </section>
  );
}
