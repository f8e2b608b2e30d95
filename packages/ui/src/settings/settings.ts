// The reader's settings: language, large text and high contrast. They live in localStorage (shared by every app
// on the origin, so a resident sets large text once) and are applied to <html>: `lang`, and classes that the
// stylesheet uses to scale every rem and to switch to the high-contrast palette.
import { isLang, type Lang } from "../i18n/i18n";
import { createStore } from "../store/store";

export interface Settings {
  lang: Lang;
  largeText: boolean;
  highContrast: boolean;
}

export const settingsStorageKey = "tsubaki.settings";
export const largeTextClass = "ts-large-text";
export const highContrastClass = "ts-high-contrast";

export const defaultSettings: Settings = { lang: "ja", largeText: false, highContrast: false };

/** Reads stored settings; anything missing or malformed falls back to the default for that field. */
export function parseSettings(stored: string | null): Settings {
  let raw: unknown = null;
  try {
    raw = stored === null ? null : JSON.parse(stored);
  } catch {
    raw = null;
  }
  const record = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    lang: isLang(record.lang) ? record.lang : defaultSettings.lang,
    largeText: typeof record.largeText === "boolean" ? record.largeText : defaultSettings.largeText,
    highContrast: typeof record.highContrast === "boolean" ? record.highContrast : defaultSettings.highContrast,
  };
}

/** localStorage, or null where it is missing or refuses access (private modes, sandboxed frames, Node). */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function read(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export const settingsStore = createStore<Settings>(parseSettings(read(browserStorage(), settingsStorageKey)));

export function updateSettings(patch: Partial<Settings>, storage: Storage | null = browserStorage()): void {
  const next = { ...settingsStore.get(), ...patch };
  try {
    storage?.setItem(settingsStorageKey, JSON.stringify(next));
  } catch {
    // A full or refused storage only means the setting lasts for this visit.
  }
  settingsStore.set(next);
}

export function applySettings(root: HTMLElement, settings: Settings): void {
  root.lang = settings.lang;
  root.classList.toggle(largeTextClass, settings.largeText);
  root.classList.toggle(highContrastClass, settings.highContrast);
}

/**
 * Applies the settings to <html> now and on every change, and follows changes made in another tab of the same
 * origin. Call once at start, before the first render, so the first paint is already in the right language.
 */
export function startSettings(doc: Document = document): () => void {
  applySettings(doc.documentElement, settingsStore.get());
  const unsubscribe = settingsStore.subscribe((s) => applySettings(doc.documentElement, s));
  const onStorage = (event: StorageEvent) => {
    if (event.key === settingsStorageKey) settingsStore.set(parseSettings(event.newValue));
  };
  addEventListener("storage", onStorage);
  return () => {
    unsubscribe();
    removeEventListener("storage", onStorage);
  };
}
