export {
  applySettings,
  browserStorage,
  defaultSettings,
  highContrastClass,
  largeTextClass,
  parseSettings,
  settingsStorageKey,
  settingsStore,
  startSettings,
  updateSettings,
  type Settings,
} from "./settings";
export { useSettings } from "./use-settings";
export { SettingsForm } from "./SettingsForm";
