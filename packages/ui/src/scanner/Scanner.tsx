// The camera QR scanner. It asks for the back camera, draws frames to a canvas at ~8 fps, decodes them with jsQR
// (loaded on first use, so screens without a scanner never download it) and reports the payload as strict
// UTF-8 from jsQR's raw bytes (qrTextFromBytes; jsQR's own `data` loses split multi-byte characters). The
// camera stops on unmount and while the page is hidden. Every failure says what to do, and a typed code is
// always possible instead (the manual fallback), so nobody depends on a working camera.
import { qrTextFromBytes } from "@tsubaki/qr";
import { useEffect, useRef, useState } from "preact/hooks";
import { Button } from "../controls/Button";
import { TextField } from "../controls/TextField";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import {
  cameraConstraints,
  cameraPrecheck,
  classifyCameraError,
  decodeWidthMax,
  repeatSuppressMs,
  scanFpsDefault,
  type CameraErrorKind,
} from "./camera";

type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: "dontInvert" | "attemptBoth" }) => { binaryData: number[] } | null;

let decoderPromise: Promise<Decode> | null = null;
function loadDecoder(): Promise<Decode> {
  decoderPromise ??= import("jsqr").then((module) => {
    // jsQR is a UMD bundle: depending on the interop, the function is the default export or the module itself.
    const candidate = (module as { default?: unknown }).default ?? module;
    const decode = typeof candidate === "function" ? candidate : (candidate as { default?: unknown }).default;
    if (typeof decode !== "function") throw new Error("BUG: jsqr did not export a decoder function");
    return decode as Decode;
  });
  return decoderPromise;
}

export type ScannerState = { kind: "starting" } | { kind: "scanning" } | { kind: "error"; error: CameraErrorKind };

export interface ScannerProps {
  /** Called with each newly read payload (the same payload again only after a pause). */
  onResult: (text: string) => void;
  fps?: number;
}

const errorMessages = {
  permission_denied: ["scanner.permissionDenied", "scanner.permissionDeniedAction"],
  no_camera: ["scanner.noCamera", "scanner.noCameraAction"],
  insecure_context: ["scanner.insecure", "scanner.insecureAction"],
  unsupported: ["scanner.unsupported", "scanner.unsupportedAction"],
  in_use: ["scanner.inUse", "scanner.inUseAction"],
} as const satisfies Record<CameraErrorKind, readonly [string, string]>;

export function Scanner({ onResult, fps = scanFpsDefault }: ScannerProps) {
  const t = useMessages(kitMessages);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<ScannerState>({ kind: "starting" });
  const [attempt, setAttempt] = useState(0);
  const [unreadable, setUnreadable] = useState(false);
  const [manual, setManual] = useState("");
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  useEffect(() => {
    const precheck = cameraPrecheck({ isSecureContext: globalThis.isSecureContext === true, hasGetUserMedia: typeof navigator.mediaDevices?.getUserMedia === "function" });
    if (precheck) {
      setState({ kind: "error", error: precheck });
      return;
    }
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = { text: "", atMs: 0 };
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });

    const stopCamera = () => {
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
      if (videoRef.current) videoRef.current.srcObject = null;
    };
    const scanFrame = (decode: Decode) => {
      const video = videoRef.current;
      if (stopped || !video || !context) return;
      if (video.videoWidth > 0) {
        const scale = Math.min(1, decodeWidthMax / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = decode(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code) {
          const text = qrTextFromBytes(code.binaryData);
          setUnreadable(text === null);
          const now = Date.now();
          if (text !== null && (text !== last.text || now - last.atMs > repeatSuppressMs)) onResultRef.current(text);
          if (text !== null) last = { text, atMs: now };
        }
      }
      timer = setTimeout(() => scanFrame(decode), 1000 / fps);
    };
    const start = async () => {
      setState({ kind: "starting" });
      try {
        const [media, decode] = await Promise.all([navigator.mediaDevices.getUserMedia(cameraConstraints), loadDecoder()]);
        if (stopped || document.hidden) {
          for (const track of media.getTracks()) track.stop();
          return;
        }
        stream = media;
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = media;
        await video.play().catch(() => undefined); // muted inline video may autoplay; frames flow either way
        setState({ kind: "scanning" });
        scanFrame(decode);
      } catch (error) {
        if (!stopped) setState({ kind: "error", error: classifyCameraError(error) });
      }
    };
    // A hidden page keeps no camera on: stop, and start again when it is shown.
    const onVisibility = () => {
      if (document.hidden) stopCamera();
      else if (!stream) void start();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void start();
    return () => {
      stopped = true;
      document.removeEventListener("visibilitychange", onVisibility);
      stopCamera();
    };
  }, [attempt, fps]);

  const failed = state.kind === "error" ? errorMessages[state.error] : null;
  return (
    <section class="ts-scanner" aria-label={t("scanner.label")} data-state={state.kind === "error" ? state.error : state.kind}>
      <div class="ts-scanner__view" hidden={state.kind === "error"}>
        <video ref={videoRef} class="ts-scanner__video" muted playsInline autoPlay aria-label={t("scanner.video")} />
        <div class="ts-scanner__frame" aria-hidden="true" />
      </div>
      <p class="ts-scanner__status" role="status">
        {state.kind === "starting" ? t("scanner.starting") : state.kind === "scanning" ? t("scanner.scanning") : ""}
        {unreadable ? ` ${t("scanner.unreadable")}` : ""}
      </p>
      {failed ? (
        <div class="ts-error" role="alert">
          <p class="ts-error__title">{t(failed[0])}</p>
          <p class="ts-error__action">{t(failed[1])}</p>
          {state.kind === "error" && (state.error === "permission_denied" || state.error === "in_use") ? (
            <Button variant="secondary" onClick={() => setAttempt((n) => n + 1)}>
              {t("scanner.retry")}
            </Button>
          ) : null}
        </div>
      ) : null}
      <form
        class="ts-scanner__manual ts-stack"
        onSubmit={(event) => {
          event.preventDefault();
          const text = manual.trim();
          if (text) onResultRef.current(text);
        }}
      >
        <TextField
          label={t("scanner.manualLabel")}
          hint={t("scanner.manualHint")}
          value={manual}
          onValue={setManual}
          autoComplete="off"
          autoCapitalize="off"
          spellcheck={false}
        />
        <Button type="submit" variant="secondary" block>
          {t("scanner.manualSubmit")}
        </Button>
      </form>
    </section>
  );
}
