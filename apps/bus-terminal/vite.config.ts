// The fare terminal: served under /bus/ by the API's Node entry (and by the Worker's static assets). Offline
// first: everything it needs to decide at the door is in the bundle, the tap store (IndexedDB) and the config
// it downloaded last.
import { tsubakiApp } from "@tsubaki/ui/vite";
import { defineConfig } from "vite";

/** The terminal is a tablet on the bus: a little more room than the wallet, still small for slow updates. */
const jsBudgetGzipBytes = 120_000;

export default defineConfig({
  base: "/bus/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", assetsInlineLimit: 0 },
  server: { proxy: { "/v1": "http://127.0.0.1:8787" } },
  plugins: tsubakiApp({
    id: "bus",
    name: "つばき バス運賃端末（のっティ）",
    shortName: "つばきバス",
    description: "のっティの運賃端末。乗車コードとカードをオフラインで読み取り、運賃を記録し、通信できるときに送ります。",
    jsBudgetGzipBytes,
  }),
});
