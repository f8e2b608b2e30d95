// Scanners (jsQR in the wallet, the fake camera in tests) hand back the QR's raw bytes. jsQR's own text drops
// any byte segment that is not valid UTF-8 on its own — e.g. "椿" split over two segments comes back as "" —
// so the apps turn the raw bytes into the payload here, as strict UTF-8.

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The payload carried by a scanned QR's raw bytes (jsQR's `binaryData`), or null when they are not valid
 * UTF-8 (then it is no payload of ours, and parseMpm would reject it anyway).
 */
export function qrTextFromBytes(bytes: Uint8Array | readonly number[]): string | null {
  try {
    return strictUtf8.decode(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  } catch {
    return null;
  }
}
