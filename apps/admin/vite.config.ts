// The city console: served under /admin/ by the API's Node entry (and by the Worker's static assets).
import { tsubakiApp } from "@tsubaki/ui/vite";
import { defineConfig } from "vite";

/** Staff use office PCs; the budget keeps the console from growing without anyone noticing. */
const jsBudgetGzipBytes = 120_000;

export default defineConfig({
  base: "/admin/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", assetsInlineLimit: 0 },
  server: { proxy: { "/v1": "http://127.0.0.1:8787" } },
  plugins: tsubakiApp({
    id: "admin",
    name: "つばき 市管理画面（野々市市）",
    shortName: "つばき管理",
    description: "野々市市の地域通貨つばきの管理画面。キャンペーン、承認、精算、報告。",
    jsBudgetGzipBytes,
  }),
});
