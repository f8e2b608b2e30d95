// Large issuance needs a second person (DESIGN §1: the city administrator "approves large issuance (second
// person)"): a bulk grant or a budget top-up at or above the threshold waits until someone else with the approving
// role agrees. Four eyes on the money the city gives away; the audit log records both names.
import type { Failure } from "./codes";

/** ¥1,000,000 and more needs a second approver. */
export const secondApprovalThresholdYenDefault = 1_000_000n;
/** The role that may approve (DESIGN §6 roles). */
export const approverRole = "admin_approver";

/** True when amountYen ≥ thresholdYen (reaching the threshold exactly needs approval). */
export function needsSecondApproval(amountYen: bigint, thresholdYen: bigint = secondApprovalThresholdYenDefault): boolean {
  return amountYen >= thresholdYen;
}

/** A request waiting for (or given) a second approval. A request is approved once, by one person. */
export interface ApprovalRequest {
  id: string;
  /** What is asked for, e.g. "grant" or "budget_top_up"; not interpreted here. */
  kind: string;
  amountYen: bigint;
  /** The user who made the request. */
  requestedBy: string;
  status: "pending" | "approved";
  approvedBy: string | null;
  approvedAt: Date | null;
}

export interface Approver {
  userId: string;
  roles: readonly string[];
}

export type ApprovalResult =
  | { ok: true; request: ApprovalRequest }
  | Failure<"approver_role_required">
  | Failure<"self_approval">
  | Failure<"request_not_pending">;

/**
 * Approves a request. Order of checks: approver_role_required (the approver lacks admin_approver) → self_approval
 * (the approver made the request) → request_not_pending (already approved). Returns the request as it is after
 * the approval; the caller stores it and writes the audit log.
 */
export function approve(request: ApprovalRequest, approver: Approver, now: Date): ApprovalResult {
  if (!approver.roles.includes(approverRole)) {
    return { ok: false, code: "approver_role_required", detail: `${approver.userId} does not have the ${approverRole} role` };
  }
  if (approver.userId === request.requestedBy) {
    return { ok: false, code: "self_approval", detail: `${approver.userId} made request ${request.id}; another person must approve it` };
  }
  if (request.status !== "pending") {
    return { ok: false, code: "request_not_pending", detail: `request ${request.id} was already approved by ${request.approvedBy ?? "someone"}` };
  }
  return { ok: true, request: { ...request, status: "approved", approvedBy: approver.userId, approvedAt: now } };
}
