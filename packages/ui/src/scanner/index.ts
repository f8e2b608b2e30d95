export { cameraConstraints, cameraPrecheck, classifyCameraError, decodeWidthMax, repeatSuppressMs, scanFpsDefault, type CameraEnvironment, type CameraErrorKind } from "./camera";
export { Scanner, type ScannerProps, type ScannerState } from "./Scanner";
