// The shop the signed-in person works at (GET /v1/me → shops; the first one: a person at several shops is rare
// and a shop switcher is not built yet), loaded once per session.
import { useApiGet, type Loadable } from "@tsubaki/ui";
import { api } from "./api";

export interface MyShop {
  id: string;
  code: string;
  name_ja: string;
  role: "owner" | "staff";
}

export function useShop(): Loadable<MyShop | null> {
  const [me] = useApiGet<{ shops?: MyShop[] }>(api, "/v1/me");
  if (me.state !== "ok") return me;
  return { state: "ok", data: me.data.shops?.[0] ?? null };
}

/** A short beep (WebAudio) when a payment arrives; silent where audio is not allowed yet. */
export function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
    tone.onended = () => void audio.close();
  } catch {
    // no audio: the visual notice is enough
  }
}
