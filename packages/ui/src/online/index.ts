export { onlineStore } from "./online";
export { OfflineBanner, OnlineIndicator } from "./OnlineIndicator";
