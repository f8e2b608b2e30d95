// Whether the browser believes it is online. navigator.onLine can say "online" on a captive portal, so this is a
// hint for the indicator; a failed request is still reported by the API client as network_error.
import { createStore } from "../store/store";

export const onlineStore = createStore<boolean>(typeof navigator === "undefined" ? true : navigator.onLine);

if (typeof addEventListener === "function" && typeof navigator !== "undefined") {
  addEventListener("online", () => onlineStore.set(true));
  addEventListener("offline", () => onlineStore.set(false));
}
