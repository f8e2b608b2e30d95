// A small badge in the header: "オンライン" with a filled dot, or "オフライン" with a hollow one and an
// explanation. Shape and text carry the state, never colour alone. A change is announced (role=status).
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { useStore } from "../store/use-store";
import { onlineStore } from "./online";

export function OnlineIndicator() {
  const t = useMessages(kitMessages);
  const online = useStore(onlineStore);
  return (
    <span
      class={`ts-online ts-online--${online ? "on" : "off"}`}
      role="status"
      title={online ? undefined : t("online.offlineHint")}
    >
      <span class="ts-online__dot" aria-hidden="true" />
      {online ? t("online.online") : t("online.offline")}
    </span>
  );
}

/** A banner under the header while offline, saying what it means for the user. */
export function OfflineBanner() {
  const t = useMessages(kitMessages);
  const online = useStore(onlineStore);
  if (online) return null;
  return <p class="ts-banner ts-banner--warning">{t("online.offlineHint")}</p>;
}
