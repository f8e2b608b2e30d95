// @tsubaki/ui: the kit the resident, shop, bus and city apps are built from. Preact components, Japanese-first
// i18n, reader settings (language, large text, high contrast), the API client, and small helpers. Browser code
// only; the Vite plugins every app builds with are in "@tsubaki/ui/vite".
export * from "./store";
export * from "./i18n";
export * from "./settings";
export * from "./router";
export * from "./controls";
export * from "./layout";
export * from "./keypad";
export * from "./money";
export * from "./qr";
export * from "./scanner";
export * from "./problems";
export * from "./online";
export * from "./api";
export { useApiGet, type Loadable } from "./api/use-api";
export * from "./session";
export { registerServiceWorker } from "./pwa";
export { kitMessages } from "./messages";
