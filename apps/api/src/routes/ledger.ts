// The ledger endpoints of DESIGN §6 (and the reversal endpoint). Writes need `service` or `admin_operator`;
// reads also allow `admin_auditor`, who must see everything and change nothing. Each write is idempotent by the
// id in its body: a replay returns the stored outcome with `Idempotency-Replayed: true`.
import { expiryTransferId, isValidId, type AccountInput, type TransferRequest, type TransferResult } from "@tsubaki/ledger";
import type { Role } from "../auth/principal";
import { ProblemError, type ProblemCode } from "../http/problem";
import {
  accountJson,
  auditJson,
  captureBody,
  createAccountBody,
  createTransferBody,
  entriesQuery,
  entryPageJson,
  idParams,
  reversalBody,
  transferJson,
  voidBody,
} from "../schemas/ledger";
import { accountToJson, entryToJson, transferToJson } from "./ledger-json";
import { defineRoute, type Reply } from "./registry";

const readers: readonly [Role, ...Role[]] = ["service", "admin_operator", "admin_auditor"];
const writers: readonly [Role, ...Role[]] = ["service", "admin_operator"];
const tags = ["ledger"];

/** Problems any transfer write can end in (input rules, then state), documented per route. */
const transferInputCodes: ProblemCode[] = ["invalid_id", "invalid_code", "invalid_legs", "too_many_legs", "hold_multi_leg", "invalid_timeout", "invalid_amount", "same_account", "invalid_metadata"];

const expirySuffix = expiryTransferId("");

function requireId(id: string, what: string): string {
  // The ledger names a hold's expiry `<hold id>~expired`; it appears in entries, so it can be read back too.
  const expiryOf = what === "transfer" && id.endsWith(expirySuffix) ? id.slice(0, -expirySuffix.length) : null;
  const readable = isValidId(id) || (expiryOf !== null && isValidId(expiryOf));
  if (!readable) throw new ProblemError("invalid_id", `the ${what} id must be 1–64 characters of A-Z a-z 0-9 - _ : .`);
  return id;
}

/**
 * JSON numbers → bigint amounts. A number that is not a safe integer becomes 0 so the ledger still reports
 * invalid_amount in its own precedence; the detail then says what was really wrong.
 */
class AmountReader {
  private readonly problems = new Map<string, string>();

  read(value: number, where: string): bigint {
    if (Number.isSafeInteger(value)) return BigInt(value);
    this.problems.set(where, Number.isInteger(value) ? "amount must be at most 9007199254740991 (2^53 − 1)" : "amount must be an integer");
    return 0n;
  }

  explain(result: TransferResult): TransferResult {
    if (result.ok || result.code !== "invalid_amount") return result;
    const where = result.detail.split(":")[0] ?? "";
    const problem = this.problems.get(where);
    return problem ? { ...result, detail: `${where}: ${problem}` } : result;
  }
}

/** The one way a ledger result becomes HTTP: 201 with the transfer, or the problem of its code. */
function transferReply(result: TransferResult): Reply {
  const headers: Record<string, string> = result.replayed ? { "Idempotency-Replayed": "true" } : {};
  if (!result.ok) throw new ProblemError(result.code, result.detail, headers);
  return { status: 201, json: transferToJson(result.transfer), headers };
}

function randomAccountId(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `acc_${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`;
}

const created = (description: string) => ({ 201: { description, schema: transferJson } });

export const ledgerRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/ledger/accounts",
    roles: writers,
    tags,
    summary: "口座を作る Create an account",
    description: "201 with the new account; the same id with the same definition again → 200 with the account; a different definition → 409 account_exists.",
    request: { body: createAccountBody },
    responses: { 201: { description: "Created", schema: accountJson }, 200: { description: "Already existed with this definition", schema: accountJson } },
    errors: ["invalid_id", "invalid_account", "invalid_metadata", "account_exists"],
    async handler({ body, deps }) {
      const input: AccountInput = {
        id: body.id ?? randomAccountId(),
        kind: body.kind,
        owner: body.owner ?? null,
        asset: body.asset ?? "JPY",
        flags: {
          debitsMustNotExceedCredits: body.flags?.debits_must_not_exceed_credits ?? false,
          creditsMustNotExceedDebits: body.flags?.credits_must_not_exceed_debits ?? false,
        },
        metadata: body.metadata ?? null,
      };
      const result = await deps.ledger.createAccount(input);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      return { status: result.created ? 201 : 200, json: accountToJson(result.account) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/ledger/accounts/{id}",
    roles: readers,
    tags,
    summary: "口座と残高 An account and its balances",
    request: { params: idParams },
    responses: { 200: { description: "The account", schema: accountJson } },
    errors: ["invalid_id", "account_not_found"],
    async handler({ params, deps }) {
      const account = await deps.ledger.getAccount(requireId(params.id, "account"));
      if (!account) throw new ProblemError("account_not_found", `no account ${params.id}`);
      return { status: 200, json: accountToJson(account) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/ledger/accounts/{id}/entries",
    roles: readers,
    tags,
    summary: "口座の明細 An account's entries, oldest first",
    description: "Each entry carries the balance after it. `as_of` keeps entries at or before that time (a statement as of then).",
    request: { params: idParams, query: entriesQuery },
    responses: { 200: { description: "A page of entries", schema: entryPageJson } },
    errors: ["invalid_id", "account_not_found"],
    async handler({ params, query, deps }) {
      const accountId = requireId(params.id, "account");
      if (!(await deps.ledger.getAccount(accountId))) throw new ProblemError("account_not_found", `no account ${accountId}`);
      const page = await deps.ledger.listEntries(accountId, {
        cursor: query.cursor ?? null,
        limit: query.limit,
        asOf: query.as_of ? new Date(query.as_of) : null,
      });
      return { status: 200, json: { entries: page.entries.map(entryToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/ledger/transfers",
    roles: writers,
    tags,
    summary: "振替 Post a transfer (or place a hold)",
    description: "All legs apply or none. With `pending` it is a hold on one leg. Idempotent by `id` (the body id is the idempotency key here; no Idempotency-Key header is needed): the same body returns the stored result with Idempotency-Replayed: true; another body → 409 id_reused.",
    request: { body: createTransferBody },
    responses: created("The transfer (201 again on a replay)"),
    errors: [...transferInputCodes, "id_reused", "account_not_found", "exceeds_balance", "exceeds_debits"],
    async handler({ body, deps }) {
      const amounts = new AmountReader();
      const request: TransferRequest = {
        op: "transfer",
        id: body.id,
        legs: body.legs.map((leg, i) => ({ from: leg.from, to: leg.to, amount: amounts.read(leg.amount, `legs[${i}]`) })),
        ...(body.pending ? { pending: { timeoutSeconds: body.pending.timeout_s } } : {}),
        ...(body.code === undefined ? {} : { code: body.code }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      };
      return transferReply(amounts.explain(await deps.ledger.submit(request)));
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/ledger/transfers/{id}",
    roles: readers,
    tags,
    summary: "振替を見る A transfer",
    description: "For a hold, `hold` shows its current state (captured so far, remaining, status).",
    request: { params: idParams },
    responses: { 200: { description: "The transfer", schema: transferJson } },
    errors: ["invalid_id", "transfer_not_found"],
    async handler({ params, deps }) {
      const transfer = await deps.ledger.getTransfer(requireId(params.id, "transfer"));
      if (!transfer) throw new ProblemError("transfer_not_found", `no transfer ${params.id}`);
      const hold = transfer.op === "transfer" && transfer.timeoutAt !== null ? await deps.ledger.getHold(transfer.id) : null;
      return { status: 200, json: transferToJson(transfer, hold) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/ledger/transfers/{id}/capture",
    roles: writers,
    tags,
    summary: "仮押さえの確定 Capture part of a hold",
    description: "Posts `amount` of the hold `{id}`; a hold may be captured in several parts until used up. The body `id` is this capture's own idempotent id.",
    request: { params: idParams, body: captureBody },
    responses: created("The capture"),
    errors: ["invalid_id", "invalid_amount", "invalid_metadata", "id_reused", "hold_not_found", "hold_expired", "hold_closed", "hold_exceeded"],
    async handler({ params, body, deps }) {
      const amounts = new AmountReader();
      const request: TransferRequest = {
        op: "capture",
        id: body.id,
        holdId: params.id,
        amount: amounts.read(body.amount, "capture"),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      };
      return transferReply(amounts.explain(await deps.ledger.submit(request)));
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/ledger/transfers/{id}/void",
    roles: writers,
    tags,
    summary: "仮押さえの取消 Void what is left of a hold",
    request: { params: idParams, body: voidBody },
    responses: created("The void"),
    errors: ["invalid_id", "invalid_metadata", "id_reused", "hold_not_found", "hold_expired", "hold_closed"],
    async handler({ params, body, deps }) {
      const request: TransferRequest = {
        op: "void",
        id: body.id,
        holdId: params.id,
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      };
      return transferReply(await deps.ledger.submit(request));
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/ledger/transfers/{id}/reversal",
    roles: writers,
    tags,
    summary: "取消振替 Reverse a posted transfer or capture",
    description: "Transfers are never changed: a reversal is a new transfer with every leg turned around, referring to `{id}`. Once per transfer.",
    request: { params: idParams, body: reversalBody },
    responses: created("The reversal"),
    errors: ["invalid_id", "invalid_code", "invalid_metadata", "id_reused", "transfer_not_found", "not_reversible", "already_reversed", "account_not_found", "exceeds_balance", "exceeds_debits"],
    async handler({ params, body, deps }) {
      const request: TransferRequest = {
        op: "reversal",
        id: body.id,
        reversalOf: params.id,
        ...(body.code === undefined ? {} : { code: body.code }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      };
      return transferReply(await deps.ledger.submit(request));
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/ledger/audit",
    roles: readers,
    tags,
    summary: "監査 Recompute and check every invariant",
    description: "Σdebits = Σcredits, no flagged account over its limit, cached balances = entry sums, hash chain intact. 200 either way: read `ok`.",
    responses: { 200: { description: "The audit report", schema: auditJson } },
    async handler({ deps }) {
      const report = await deps.ledger.audit();
      return { status: 200, json: { ok: report.ok, checks: report.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })) } };
    },
  }),
];
