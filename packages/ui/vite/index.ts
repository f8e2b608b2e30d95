// The Vite plugins every Tsubaki app builds with: the Japanese web font trimmed to woff2, the installable-PWA
// files (manifest, icons, a service worker with the app shell), the size report with its budget, and gzipped
// copies of text files for the Node server to send. Node code, used only from vite.config.ts.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import type { Plugin, ResolvedConfig } from "vite";
import { formatSizeReport, sizeReport } from "./budget";
import { iconColors, iconPng, iconSvg } from "./icon";
import { serviceWorkerSource } from "./service-worker";

export { formatSizeReport, gzipSize, sizeReport, type SizeLine, type SizeReport } from "./budget";
export { encodePng, iconPixels, iconPng, iconSvg } from "./icon";
export { serviceWorkerSource, type ServiceWorkerInput } from "./service-worker";

export interface TsubakiAppOptions {
  /** Short id: "wallet", "merchant", "bus", "admin" (cache names, log lines). */
  id: string;
  /** The installed app's name, Japanese first: "つばきウォレット". */
  name: string;
  shortName: string;
  description: string;
  /** Fail the build when all JS together is larger than this, gzipped; null reports without a limit. */
  jsBudgetGzipBytes: number | null;
}

/** Files that must not go into the service worker's install list (fonts are cached when first used). */
const notShell = /(\.(woff2?|gz|map)$)|(^sw\.js$)/;
/** Text files worth a gzipped copy next to them (static.ts serves it to clients that accept gzip). */
const compressible = /\.(js|css|html|svg|webmanifest|json|txt)$/;

/** Keeps only the woff2 source of @fontsource faces: every browser we support reads woff2, and the woff copies would double the download folder. */
export function fontFiles(): Plugin {
  return {
    name: "tsubaki:font-files",
    enforce: "pre",
    transform(code, id) {
      if (!/[\\/]@fontsource[\\/][^?]*\.css(\?|$)/.test(id)) return null;
      return { code: code.replace(/,\s*url\([^)]*\.woff\)\s*format\(['"]woff['"]\)/g, ""), map: null };
    },
  };
}

function icons(): Map<string, string | Buffer> {
  return new Map<string, string | Buffer>([
    ["icon.svg", iconSvg()],
    ["icon-192.png", iconPng(192)],
    ["icon-512.png", iconPng(512)],
    ["icon-maskable-512.png", iconPng(512, true)],
    ["apple-touch-icon.png", iconPng(180, true)],
  ]);
}

function manifest(options: TsubakiAppOptions, base: string): string {
  return JSON.stringify(
    {
      name: options.name,
      short_name: options.shortName,
      description: options.description,
      lang: "ja",
      dir: "ltr",
      id: base,
      start_url: base,
      scope: base,
      display: "standalone",
      orientation: "portrait",
      background_color: "#fffdf9",
      theme_color: iconColors.background,
      icons: [
        { src: "icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
        { src: "icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
        { src: "icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
        { src: "icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      ],
    },
    null,
    2,
  );
}

/** Manifest, icons, <head> links and the service worker. */
export function pwa(options: TsubakiAppOptions): Plugin {
  let config: ResolvedConfig;
  return {
    name: "tsubaki:pwa",
    enforce: "post",
    configResolved(resolved) {
      config = resolved;
    },
    transformIndexHtml() {
      const base = config.base;
      return [
        { tag: "link", attrs: { rel: "manifest", href: `${base}manifest.webmanifest` }, injectTo: "head" },
        { tag: "link", attrs: { rel: "icon", href: `${base}icon.svg`, type: "image/svg+xml" }, injectTo: "head" },
        { tag: "link", attrs: { rel: "apple-touch-icon", href: `${base}apple-touch-icon.png` }, injectTo: "head" },
        { tag: "meta", attrs: { name: "theme-color", content: iconColors.background }, injectTo: "head" },
      ];
    },
    configureServer(server) {
      // `vite dev` serves the manifest and icons too, so the dev app looks like the built one (no service worker).
      const files = new Map([...icons(), ["manifest.webmanifest", manifest(options, server.config.base)]]);
      server.middlewares.use((req, res, next) => {
        const name = (req.url ?? "").split("?")[0]!.slice(server.config.base.length);
        const body = files.get(name);
        if (body === undefined) return next();
        res.setHeader("Content-Type", name.endsWith(".png") ? "image/png" : name.endsWith(".svg") ? "image/svg+xml" : "application/manifest+json");
        res.end(body);
      });
    },
    generateBundle(_options, bundle) {
      for (const [fileName, source] of [...icons(), ["manifest.webmanifest", manifest(options, config.base)] as const]) {
        this.emitFile({ type: "asset", fileName, source });
      }
      const shell = Object.keys(bundle).filter((f) => !notShell.test(f) && f !== "index.html").sort();
      const hash = createHash("sha256");
      for (const file of shell) {
        const item = bundle[file]!;
        hash.update(file).update(item.type === "chunk" ? item.code : item.source);
      }
      const version = hash.digest("hex").slice(0, 16);
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: serviceWorkerSource({ base: config.base, cachePrefix: `tsubaki-${options.id}-`, version, shellFiles: shell }),
      });
    },
  };
}

/** Prints the gzipped size of each JS and CSS file and fails the build over the JS budget. */
export function sizeBudget(options: Pick<TsubakiAppOptions, "id" | "jsBudgetGzipBytes">): Plugin {
  return {
    name: "tsubaki:size-budget",
    apply: "build",
    enforce: "post",
    // Vite's own listing would name each of the ~250 font pieces; this plugin's report says what matters.
    config: () => ({ logLevel: "warn", build: { reportCompressedSize: false } }),
    generateBundle(_options, bundle) {
      const files = new Map<string, string | Uint8Array>();
      for (const [name, item] of Object.entries(bundle)) files.set(name, item.type === "chunk" ? item.code : item.source);
      const report = sizeReport(files);
      console.log(formatSizeReport(options.id, report, options.jsBudgetGzipBytes));
      if (options.jsBudgetGzipBytes !== null && report.jsGzipBytes > options.jsBudgetGzipBytes) {
        this.error(`[${options.id}] JS is ${report.jsGzipBytes} bytes gzipped, over the budget of ${options.jsBudgetGzipBytes}`);
      }
    },
  };
}

/** Writes file.gz beside each text file of the output, for servers that send precompressed files. */
export function precompress(): Plugin {
  return {
    name: "tsubaki:precompress",
    apply: "build",
    enforce: "post",
    async writeBundle(output, bundle) {
      const outDir = output.dir;
      if (!outDir) return;
      await Promise.all(
        Object.keys(bundle)
          .filter((file) => compressible.test(file))
          .map((file) => {
            const path = join(outDir, file);
            return writeFile(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
          }),
      );
    },
  };
}

/** Everything an app's vite.config.ts needs besides `base`. */
export function tsubakiApp(options: TsubakiAppOptions): Plugin[] {
  return [fontFiles(), pwa(options), sizeBudget(options), precompress()];
}
