// The hook every screen uses: the translator for the user's language, re-rendered when the language changes.
import { useMemo } from "preact/hooks";
import { useSettings } from "../settings/use-settings";
import { translator, type Messages, type Translate } from "./i18n";

export function useMessages<K extends string>(messages: Messages<K>): Translate<K> {
  const { lang } = useSettings();
  return useMemo(() => translator(messages, lang), [messages, lang]);
}
