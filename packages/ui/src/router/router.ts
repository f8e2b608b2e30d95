// A path router for apps served under a base ("/wallet/"): routes are paths relative to the base ("/", "/scan").
// The server answers every client route with index.html, so a reload or a shared link lands on the same screen.
import { createStore, type Store } from "../store/store";

export interface Router {
  /** The base with both slashes, as Vite's BASE_URL gives it: "/wallet/". */
  readonly base: string;
  /** The current route, e.g. "/" or "/scan" (no trailing slash, no query). */
  readonly route: Store<string>;
  /** The URL of a route, for <a href>. */
  href(route: string): string;
  navigate(route: string, options?: { replace?: boolean }): void;
}

/** The route of a pathname under `base`; anything outside the base is the base's root. */
export function routeOf(pathname: string, base: string): string {
  const root = base.endsWith("/") ? base : `${base}/`;
  if (pathname === root.slice(0, -1) || !pathname.startsWith(root)) return "/";
  const rest = pathname.slice(root.length).replace(/\/+$/, "");
  return `/${rest}`;
}

export function createRouter(base: string, win: Window = window): Router {
  const root = base.endsWith("/") ? base : `${base}/`;
  const route = createStore(routeOf(win.location.pathname, root));
  win.addEventListener("popstate", () => route.set(routeOf(win.location.pathname, root)));
  const href = (to: string) => `${root}${to.replace(/^\/+/, "")}`;
  return {
    base: root,
    route,
    href,
    navigate(to, options = {}) {
      if (options.replace) win.history.replaceState(null, "", href(to));
      else win.history.pushState(null, "", href(to));
      route.set(routeOf(win.location.pathname, root));
    },
  };
}
