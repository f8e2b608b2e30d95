// The shop app: served under /merchant/ by the API's Node entry (and by the Worker's static assets).
// JSX through Vite's own transform (no Babel): Preact's automatic runtime.
import { tsubakiApp } from "@tsubaki/ui/vite";
import { defineConfig } from "vite";

/** Shop tablets are newer than residents' phones; the budget is looser than the wallet's but still a budget. */
const jsBudgetGzipBytes = 150_000;

export default defineConfig({
  base: "/merchant/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", assetsInlineLimit: 0 },
  // `vite dev` talks to the API of `npm start` (port 8787) through the same origin, as the built app does.
  server: { proxy: { "/v1": "http://127.0.0.1:8787" } },
  plugins: tsubakiApp({
    id: "merchant",
    name: "つばき 加盟店（野々市市）",
    shortName: "つばき店舗",
    description: "野々市市の地域通貨つばきの加盟店アプリ。QRコードの表示、支払いの受け取り、売上の確認ができます。",
    jsBudgetGzipBytes,
  }),
});
