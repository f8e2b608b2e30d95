// Message catalogs: Japanese first, English second (STYLE: every screen is Japanese first). A catalog is typed so
// that the English one must carry exactly the keys of the Japanese one, and the same {placeholders}.

export const langs = ["ja", "en"] as const;
export type Lang = (typeof langs)[number];

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (langs as readonly string[]).includes(value);
}

export type Params = Readonly<Record<string, string | number>>;

export interface Messages<K extends string> {
  readonly ja: Readonly<Record<K, string>>;
  readonly en: Readonly<Record<K, string>>;
}

export type Translate<K extends string> = (key: K, params?: Params) => string;

/** Declares a catalog; `en` must have every key of `ja` and nothing else. */
export function defineMessages<const J extends Record<string, string>>(
  ja: J,
  en: { readonly [key in keyof J]: string },
): Messages<keyof J & string> {
  return { ja, en } as Messages<keyof J & string>;
}

const placeholder = /\{([a-zA-Z0-9_]+)\}/g;

/** Fills {name} placeholders; a placeholder without a value stays visible, so a missing parameter is noticed. */
export function format(template: string, params: Params = {}): string {
  return template.replace(placeholder, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** The placeholders a template uses, sorted: a catalog test checks ja and en use the same ones. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(placeholder)].map((m) => m[1]!).sort();
}

export function translator<K extends string>(messages: Messages<K>, lang: Lang): Translate<K> {
  const catalog = messages[lang];
  return (key, params) => format(catalog[key] ?? messages.ja[key] ?? key, params);
}
