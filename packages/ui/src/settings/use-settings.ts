import { useStore } from "../store/use-store";
import { settingsStore, type Settings } from "./settings";

export function useSettings(): Settings {
  return useStore(settingsStore);
}
