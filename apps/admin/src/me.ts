// Who is signed in to the console, for showing or hiding what they may change: an auditor (admin_auditor) reads
// everything and changes nothing. The API refuses anyway; hiding the buttons saves the auditor a useless click.
import { useApiGet, type Loadable } from "@tsubaki/ui";
import { api } from "./api";

/** True once /v1/me says the person is an operator; false while loading, on error, and for auditors. */
export function useCanOperate(): boolean {
  const [me] = useApiGet<{ roles: string[] }>(api, "/v1/me");
  return canOperate(me);
}

function canOperate(me: Loadable<{ roles: string[] }>): boolean {
  return me.state === "ok" && me.data.roles.includes("admin_operator");
}
