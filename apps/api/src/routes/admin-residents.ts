// Residents and their printed cards, at the city's counter: counter clerks register and find residents;
// operators also verify identity, issue cards with a PIN, and unlock, re-PIN or revoke cards. A resident's coins
// account is opened with the record, so a charge can follow at once.
import { accountIdOf } from "@tsubaki/auth";
import type { Resident } from "@tsubaki/db";
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { identityProblem, orProblem } from "../auth/problems";
import {
  cardJson,
  cardToJson,
  createResidentBody,
  idParams,
  pageOf,
  pageQuery,
  pinBody,
  residentJson,
  residentToJson,
  residentsQuery,
} from "../schemas/identity";
import { ensureAccounts, residentAccounts } from "../services/accounts";
import type { AppDeps } from "../app";
import { operators } from "./admin-users";
import { defineRoute } from "./registry";

const tags = ["admin"];
const counter = ["counter_staff", "admin_operator", "service"] as const;

const residentView = (r: Resident) => residentToJson(r, accountIdOf.residentCoins(r.id));

async function requireResident(deps: AppDeps, id: string): Promise<Resident> {
  const resident = await deps.identity.getResident(id);
  if (resident === null) throw identityProblem({ ok: false, code: "resident_not_found", detail: `no resident ${id}` });
  return resident;
}

export const adminResidentRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/admin/residents",
    roles: counter,
    tags,
    summary: "住民登録 Register a resident",
    description: "Opens the resident's coins account in the ledger too. Identity is verified separately (an operator).",
    request: { body: createResidentBody },
    responses: { 201: { description: "Registered", schema: residentJson } },
    errors: ["invalid_field", "user_not_found", "user_taken", "account_exists"],
    async handler({ body, principal, deps, requestId }) {
      const created = orProblem(
        await deps.identity.createResident(
          { name: body.name, nameKana: body.name_kana, birthDate: body.birth_date, district: body.district, userId: body.user_id ?? null },
          actorOf(principal, requestId),
        ),
      );
      await ensureAccounts(deps.ledger, residentAccounts(created.resident.id));
      return { status: 201, json: residentView(created.resident) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/residents",
    roles: counter,
    tags,
    summary: "住民一覧 Residents (search by kana prefix)",
    request: { query: residentsQuery },
    responses: { 200: { description: "A page, by id", schema: z.object({ residents: z.array(residentJson), next_cursor: z.string().nullable() }) } },
    async handler({ query, deps }) {
      const page = await deps.identity.listResidents({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.name_kana ? { nameKanaPrefix: query.name_kana } : {}) });
      return { status: 200, json: { residents: page.residents.map(residentView), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/residents/{id}",
    roles: counter,
    tags,
    summary: "住民詳細 A resident",
    request: { params: idParams },
    responses: { 200: { description: "The resident", schema: residentJson } },
    errors: ["resident_not_found"],
    async handler({ params, deps }) {
      return { status: 200, json: residentView(await requireResident(deps, params.id)) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/residents/{id}/verify",
    roles: operators,
    tags,
    summary: "本人確認済みにする Mark a resident as verified",
    description: "After checking an identity document at the counter. Sending coins to another resident needs it.",
    request: { params: idParams },
    responses: { 200: { description: "Verified", schema: residentJson } },
    errors: ["resident_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const verified = orProblem(await deps.identity.verifyResident(params.id, actorOf(principal, requestId)));
      return { status: 200, json: residentView(verified.resident) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/residents/{id}/cards",
    roles: counter,
    tags,
    summary: "カード一覧 A resident's cards",
    request: { params: idParams, query: pageQuery },
    responses: { 200: { description: "Cards, by id", schema: z.object({ cards: z.array(cardJson), next_cursor: z.string().nullable() }) } },
    errors: ["resident_not_found"],
    async handler({ params, query, deps }) {
      await requireResident(deps, params.id);
      const page = pageOf(await deps.identity.listCardsOfResident(params.id), (c) => c.id, query);
      return { status: 200, json: { cards: page.items.map(cardToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/residents/{id}/cards",
    roles: operators,
    tags,
    summary: "カード発行 Issue a printed card with a PIN",
    description: "The resident chooses the PIN at the counter (4–6 digits; not a run, a repeat or their birth date). It is stored only as a hash.",
    request: { params: idParams, body: pinBody },
    responses: { 201: { description: "Issued: print the number on the card", schema: cardJson } },
    errors: ["resident_not_found", "pin_format", "pin_too_simple"],
    async handler({ params, body, principal, deps, requestId }) {
      const issued = orProblem(await deps.identity.issueCard({ residentId: params.id, pin: body.pin }, actorOf(principal, requestId)));
      return { status: 201, json: cardToJson(issued.card), headers: { "Cache-Control": "no-store" } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/cards/{id}",
    roles: counter,
    tags,
    summary: "カード状態 A card",
    request: { params: idParams },
    responses: { 200: { description: "The card", schema: cardJson } },
    errors: ["card_not_found"],
    async handler({ params, deps }) {
      const card = await deps.identity.getCard(params.id);
      if (card === null) throw identityProblem({ ok: false, code: "card_not_found", detail: `no card ${params.id}` });
      return { status: 200, json: cardToJson(card) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/cards/{id}/unlock",
    roles: operators,
    tags,
    summary: "カードのロック解除 Unlock a card after five wrong PINs",
    request: { params: idParams },
    responses: { 200: { description: "Unlocked", schema: cardJson } },
    errors: ["card_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const unlocked = orProblem(await deps.identity.unlockCard(params.id, actorOf(principal, requestId)));
      return { status: 200, json: cardToJson(unlocked.card) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/cards/{id}/pin",
    roles: operators,
    tags,
    summary: "PIN 再設定 Set a new PIN (also unlocks)",
    request: { params: idParams, body: pinBody },
    responses: { 200: { description: "Changed", schema: cardJson } },
    errors: ["card_not_found", "pin_format", "pin_too_simple"],
    async handler({ params, body, principal, deps, requestId }) {
      const changed = orProblem(await deps.identity.changeCardPin(params.id, body.pin, actorOf(principal, requestId)));
      return { status: 200, json: cardToJson(changed.card) };
    },
  }),

  defineRoute({
    method: "post",
    path: "/v1/admin/cards/{id}/revoke",
    roles: operators,
    tags,
    summary: "カード無効化 Revoke a lost or replaced card",
    request: { params: idParams },
    responses: { 200: { description: "Revoked for good", schema: cardJson } },
    errors: ["card_not_found"],
    async handler({ params, principal, deps, requestId }) {
      const revoked = orProblem(await deps.identity.revokeCard(params.id, actorOf(principal, requestId)));
      return { status: 200, json: cardToJson(revoked.card) };
    },
  }),
];
