export { QrDisplay, type QrDisplayProps } from "./QrDisplay";
