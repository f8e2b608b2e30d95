export { defineMessages, format, isLang, langs, placeholders, translator, type Lang, type Messages, type Params, type Translate } from "./i18n";
export { useMessages } from "./use-messages";
