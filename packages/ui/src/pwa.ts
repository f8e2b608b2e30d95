// Registers the app's service worker (built by @tsubaki/ui/vite) in production builds only: a worker in `vite
// dev` would serve stale modules. Failure is harmless: the app simply does not work offline.
export function registerServiceWorker(base: string): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  addEventListener("load", () => {
    navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch(() => undefined);
  });
}
