// Shows a payload as a QR code: packages/qr's renderQrSvg (plain string work, no canvas, browser-safe) inlined as
// SVG, so it scales to any screen without blur. The SVG carries role="img" and the accessible name.
import { renderQrSvg } from "@tsubaki/qr";
import { useMemo } from "preact/hooks";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";

export interface QrDisplayProps {
  payload: string;
  /** The accessible name, e.g. "お店のQRコード"; default "QRコード". */
  label?: string;
  /** Shown under the code for people who type it instead (the manual fallback of the scanner). */
  caption?: string;
}

export function QrDisplay({ payload, label, caption }: QrDisplayProps) {
  const t = useMessages(kitMessages);
  const title = label ?? t("qr.title");
  // renderQrSvg escapes the title and writes only numbers into the path, so the markup is safe to inline.
  const svg = useMemo(() => renderQrSvg(payload, { size: "100%", title }), [payload, title]);
  return (
    <figure class="ts-qr">
      <div class="ts-qr__code" dangerouslySetInnerHTML={{ __html: svg }} />
      {caption ? <figcaption class="ts-qr__caption">{caption}</figcaption> : null}
    </figure>
  );
}
