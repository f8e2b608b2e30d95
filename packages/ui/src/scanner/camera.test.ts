import { describe, expect, it } from "vitest";
import { cameraPrecheck, classifyCameraError } from "./camera";

describe("camera errors", () => {
  it("refuses to ask for the camera outside a secure context or without getUserMedia", () => {
    expect(cameraPrecheck({ isSecureContext: false, hasGetUserMedia: true })).toBe("insecure_context");
    expect(cameraPrecheck({ isSecureContext: true, hasGetUserMedia: false })).toBe("unsupported");
    expect(cameraPrecheck({ isSecureContext: true, hasGetUserMedia: true })).toBeNull();
  });

  it("turns the browser's error names into what the user can act on", () => {
    const kinds = ["NotAllowedError", "SecurityError", "NotFoundError", "OverconstrainedError", "NotReadableError", "AbortError", "TypeError"].map((name) =>
      classifyCameraError(new DOMException("x", name)),
    );
    expect(kinds).toEqual(["permission_denied", "permission_denied", "no_camera", "no_camera", "in_use", "in_use", "unsupported"]);
    expect(classifyCameraError("weird")).toBe("in_use");
  });
});
