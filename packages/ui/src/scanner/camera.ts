// Why the camera could not start, in words a person can act on. Browsers report it as DOMException names; the
// mapping is kept apart from the component so it can be tested without a camera.

export type CameraErrorKind = "permission_denied" | "no_camera" | "insecure_context" | "unsupported" | "in_use";

export interface CameraEnvironment {
  isSecureContext: boolean;
  hasGetUserMedia: boolean;
}

/** A reason the camera cannot even be asked for, or null when getUserMedia may be called. */
export function cameraPrecheck(env: CameraEnvironment): CameraErrorKind | null {
  if (!env.isSecureContext) return "insecure_context";
  if (!env.hasGetUserMedia) return "unsupported";
  return null;
}

/** Classifies a getUserMedia rejection. */
export function classifyCameraError(error: unknown): CameraErrorKind {
  const name = typeof error === "object" && error !== null && "name" in error ? String((error as { name: unknown }).name) : "";
  switch (name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return "permission_denied";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "no_camera";
    case "TypeError":
      return "unsupported";
    default:
      return "in_use"; // NotReadableError, AbortError, TrackStartError: the device exists but did not start
  }
}

/** The constraints we ask for: the back camera when there is one, sized for decoding rather than for display. */
export const cameraConstraints: MediaStreamConstraints = {
  audio: false,
  video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
};

/** Frames are decoded at most this wide (jsQR's time grows with pixels; 640 reads a phone-held QR well). */
export const decodeWidthMax = 640;
export const scanFpsDefault = 8;
/** The same text read again within this time is not reported twice. */
export const repeatSuppressMs = 2_000;
