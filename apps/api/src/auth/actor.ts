// Who did something, for the audit log: the caller and their roles, with the request id so an auditor can follow
// one request from the access log to every audit entry it wrote.
import type { AuditActor } from "@tsubaki/db";
import type { Principal } from "./principal";

export function actorOf(principal: Principal | null, requestId: string): AuditActor {
  return principal === null ? { actor: "anonymous", actorRoles: [], requestId } : { actor: principal.subject, actorRoles: [...principal.roles], requestId };
}
