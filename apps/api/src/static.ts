// The Node entry serves the built apps from the same origin as the API (DESIGN §7): /wallet/, /merchant/, /bus/,
// /admin/, each a Vite `dist` folder. Node-only (it reads files), so only node.ts imports it; the Worker serves the
// same folders as static assets. Hashed assets are cached for a year, everything else is revalidated, and any
// path that is not a file gets the app's index.html, so client routes survive a reload.
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env, Hono } from "hono";

export const appMounts = { wallet: "/wallet", merchant: "/merchant", bus: "/bus", admin: "/admin" } as const;
export type AppName = keyof typeof appMounts;

export interface ServeAppsOptions {
  /** Each app's built folder (its `dist`). An app left out is not served; one not built yet answers 404. */
  distDirs: Partial<Record<AppName, string>>;
  /** Where "/" goes (default the wallet: most visitors are residents). */
  rootRedirect?: string;
}

/** The apps' dist folders in this repository (apps/<app>/dist), as `npm start` builds them. */
export function repoDistDirs(): Record<AppName, string> {
  const apps = fileURLToPath(new URL("../../", import.meta.url)); // apps/api/src/ → apps/
  return {
    wallet: join(apps, "wallet", "dist"),
    merchant: join(apps, "merchant", "dist"),
    bus: join(apps, "bus-terminal", "dist"),
    admin: join(apps, "admin", "dist"),
  };
}

/** A year: Vite puts a content hash in every file name under assets/, so such a file never changes. */
const immutableCache = "public, max-age=31536000, immutable";
/** Anything without a hash is revalidated on every use, so a new release shows at once. */
const revalidateCache = "no-cache";
/** A request path longer than this is not a file of ours. */
const pathCharsMax = 1024;

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

// The apps talk only to their own origin; no inline script, no framing. Inline style attributes are allowed
// (components set sizes through style), and data:/blob: images for QR codes and camera snapshots.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const htmlHeaders: Readonly<Record<string, string>> = {
  "Content-Security-Policy": contentSecurityPolicy,
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
};

/** The file a request path names inside `root`, or null when it would leave `root` or is not a plain path. */
export function fileInDist(root: string, relativePath: string): string | null {
  if (relativePath.length > pathCharsMax) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(relativePath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === ".." || s === ".")) return null;
  const base = resolve(root);
  const file = resolve(base, ...segments);
  return file === base || file.startsWith(base + sep) ? file : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function cacheControl(relativePath: string): string {
  return /^assets\/.+[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(relativePath) ? immutableCache : revalidateCache;
}

async function fileResponse(file: string, relativePath: string, acceptEncoding: string, status = 200): Promise<Response> {
  const type = contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream";
  const headers: Record<string, string> = {
    "Content-Type": type,
    "Cache-Control": cacheControl(relativePath),
    "X-Content-Type-Options": "nosniff",
  };
  if (type.startsWith("text/html")) Object.assign(headers, htmlHeaders);
  // The build writes file.gz beside text files; send it to clients that take gzip.
  const gz = `${file}.gz`;
  if (/\bgzip\b/.test(acceptEncoding) && (await isFile(gz))) {
    headers["Content-Encoding"] = "gzip";
    headers.Vary = "Accept-Encoding";
    return new Response(await readFile(gz), { status, headers });
  }
  if (type.startsWith("text/") || type.includes("json") || type.includes("svg")) headers.Vary = "Accept-Encoding";
  return new Response(await readFile(file), { status, headers });
}

function notBuilt(name: AppName): Response {
  return new Response(`Tsubaki: the ${name} app is not built yet (npm run build).\nつばき: ${name} アプリはまだビルドされていません。\n`, {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function notFound(): Response {
  return new Response("Not found / 見つかりません\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache" } });
}

/** Adds GET (and so HEAD) routes for each app and the "/" redirect. Mount after createApp: API routes win. */
export function serveApps<E extends Env>(app: Hono<E>, options: ServeAppsOptions): void {
  for (const [name, dir] of Object.entries(options.distDirs) as [AppName, string | undefined][]) {
    if (!dir) continue;
    const mount = appMounts[name];
    const root = resolve(dir);
    app.get(mount, (c) => c.redirect(`${mount}/`, 301));
    app.get(`${mount}/*`, async (c) => {
      const relativePath = c.req.path.slice(mount.length + 1);
      const acceptEncoding = c.req.header("accept-encoding") ?? "";
      const file = fileInDist(root, relativePath);
      if (file === null) return notFound();
      if (relativePath !== "" && !relativePath.endsWith("/") && (await isFile(file))) return fileResponse(file, relativePath, acceptEncoding);
      // A path with a file extension that does not exist is a missing file, not a client route.
      if (/\.[A-Za-z0-9]{1,8}$/.test(relativePath)) return notFound();
      const index = join(root, "index.html");
      if (!(await isFile(index))) return notBuilt(name);
      return fileResponse(index, "index.html", acceptEncoding);
    });
  }
  const target = options.rootRedirect ?? `${appMounts.wallet}/`;
  app.get("/", (c) => c.redirect(target, 302));
}
