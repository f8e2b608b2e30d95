// The kit's gallery: every component on one page, for people designing screens and for the browser tests of the
// components no app screen uses yet (keypad, QR display, error messages). `npx vite --config gallery/vite.config.ts`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { fontFiles } from "../vite/index";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [fontFiles()],
  server: { host: "127.0.0.1" },
  logLevel: "warn",
});
