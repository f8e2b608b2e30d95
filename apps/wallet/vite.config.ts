// The resident wallet: served under /wallet/ by the API's Node entry (and by the Worker's static assets).
// JSX through Vite's own transform (no Babel): Preact's automatic runtime.
import { tsubakiApp } from "@tsubaki/ui/vite";
import { defineConfig } from "vite";

/** Residents use old phones on slow networks: all the wallet's JS together stays under 100 kB gzipped. */
const jsBudgetGzipBytes = 100_000;

export default defineConfig({
  base: "/wallet/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", assetsInlineLimit: 0 },
  // `vite dev` talks to the API of `npm start` (port 8787) through the same origin, as the built app does.
  server: { proxy: { "/v1": "http://127.0.0.1:8787" } },
  plugins: tsubakiApp({
    id: "wallet",
    name: "つばきウォレット（野々市市）",
    shortName: "つばき",
    description: "野々市市の地域通貨つばきのウォレット。お店での支払い、バス、残高の確認ができます。",
    jsBudgetGzipBytes,
  }),
});
