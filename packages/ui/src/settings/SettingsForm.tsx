// The settings every app offers in the same words: language, large text, high contrast. Changes apply at once
// (no save button to miss) and are announced by the page itself changing.
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { ChoiceGroup, ToggleField } from "../controls/choice";
import { updateSettings } from "./settings";
import { useSettings } from "./use-settings";

export function SettingsForm() {
  const t = useMessages(kitMessages);
  const settings = useSettings();
  return (
    <div class="ts-stack">
      <ChoiceGroup
        name="lang"
        legend={t("settings.language")}
        value={settings.lang}
        options={[
          // Each language is named in itself, so someone who cannot read the current one still finds theirs.
          { value: "ja", label: "日本語", lang: "ja" },
          { value: "en", label: "English", lang: "en" },
        ]}
        onChange={(lang) => updateSettings({ lang })}
      />
      <ToggleField
        id="ts-large-text"
        label={t("settings.largeText")}
        hint={t("settings.largeTextHint")}
        checked={settings.largeText}
        onChange={(largeText) => updateSettings({ largeText })}
      />
      <ToggleField
        id="ts-high-contrast"
        label={t("settings.highContrast")}
        hint={t("settings.highContrastHint")}
        checked={settings.highContrast}
        onChange={(highContrast) => updateSettings({ highContrast })}
      />
    </div>
  );
}
