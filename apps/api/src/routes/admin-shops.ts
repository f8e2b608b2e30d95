// Shops (加盟店) as the city manages them: onboarding, status, the bank account payouts go to, and who works
// there. A shop's ledger account is opened when the shop is created.
import { accountIdOf, type BankAccountType } from "@tsubaki/auth";
import type { Shop } from "@tsubaki/db";
import { z } from "zod";
import { actorOf } from "../auth/actor";
import { identityProblem, orProblem } from "../auth/problems";
import {
  bankFromJson,
  createShopBody,
  idParams,
  pageOf,
  pageQuery,
  shopBankBody,
  shopJson,
  shopStatusBody,
  shopToJson,
  shopsQuery,
  staffBody,
  staffJson,
  staffParams,
  staffToJson,
} from "../schemas/identity";
import { ensureAccounts, shopAccounts } from "../services/accounts";
import { operators, operatorsAndAuditors } from "./admin-users";
import { defineRoute } from "./registry";

const tags = ["admin"];
const shopView = (s: Shop) => shopToJson(s, accountIdOf.shop(s.id), { withBank: true });
const bankOf = (bank: Parameters<typeof bankFromJson>[0]) => {
  const b = bankFromJson(bank);
  return b === null ? null : { ...b, accountType: b.accountType as BankAccountType };
};

export const adminShopRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/admin/shops",
    roles: operators,
    // `code` here is the shop's code, not the ledger's transfer code: invalid values are plain invalid_request.
    bodyFieldCodes: {},
    tags,
    summary: "店舗登録 Register a shop",
    description: "Status `applied` unless given. Opens the shop's ledger account. Add its owner with PUT …/staff/{user_id}.",
    request: { body: createShopBody },
    responses: { 201: { description: "Registered", schema: shopJson } },
    errors: ["invalid_field", "shop_code_taken", "account_exists"],
    async handler({ body, principal, deps, requestId }) {
      const created = orProblem(
        await deps.identity.createShop(
          {
            code: body.code,
            nameJa: body.name_ja,
            nameLatin: body.name_latin,
            category: body.category,
            tier: body.tier,
            mcc: body.mcc,
            feeRateBasisPoints: body.fee_rate_bp,
            bank: bankOf(body.bank ?? null),
            ...(body.status ? { status: body.status } : {}),
          },
          actorOf(principal, requestId),
        ),
      );
      await ensureAccounts(deps.ledger, shopAccounts(created.shop.id));
      return { status: 201, json: shopView(created.shop) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/shops",
    roles: operatorsAndAuditors,
    tags,
    summary: "店舗一覧 Shops",
    request: { query: shopsQuery },
    responses: { 200: { description: "A page, by id", schema: z.object({ shops: z.array(shopJson), next_cursor: z.string().nullable() }) } },
    async handler({ query, deps }) {
      const page = await deps.identity.listShops({
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.q ? { q: query.q } : {}),
      });
      return { status: 200, json: { shops: page.shops.map(shopView), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/shops/{id}",
    roles: operatorsAndAuditors,
    tags,
    summary: "店舗詳細 A shop",
    request: { params: idParams },
    responses: { 200: { description: "The shop", schema: shopJson } },
    errors: ["shop_not_found"],
    async handler({ params, deps }) {
      const shop = await deps.identity.getShop(params.id);
      if (shop === null) throw identityProblem({ ok: false, code: "shop_not_found", detail: `no shop ${params.id}` });
      return { status: 200, json: shopView(shop) };
    },
  }),

  defineRoute({
    method: "put",
    path: "/v1/admin/shops/{id}/status",
    roles: operators,
    tags,
    summary: "店舗の状態 Activate or suspend a shop",
    request: { params: idParams, body: shopStatusBody },
    responses: { 200: { description: "Changed", schema: shopJson } },
    errors: ["shop_not_found", "invalid_status"],
    async handler({ params, body, principal, deps, requestId }) {
      const changed = orProblem(await deps.identity.setShopStatus(params.id, body.status, actorOf(principal, requestId)));
      return { status: 200, json: shopView(changed.shop) };
    },
  }),

  defineRoute({
    method: "put",
    path: "/v1/admin/shops/{id}/bank",
    roles: operators,
    tags,
    summary: "振込口座 Set the bank account payouts go to",
    request: { params: idParams, body: shopBankBody },
    responses: { 200: { description: "Changed (the audit log keeps the last 3 digits)", schema: shopJson } },
    errors: ["shop_not_found", "invalid_field"],
    async handler({ params, body, principal, deps, requestId }) {
      const changed = orProblem(await deps.identity.setShopBank(params.id, bankOf(body.bank), actorOf(principal, requestId)));
      return { status: 200, json: shopView(changed.shop) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/admin/shops/{id}/staff",
    roles: operatorsAndAuditors,
    tags,
    summary: "店舗スタッフ A shop's owners and staff",
    request: { params: idParams, query: pageQuery },
    responses: { 200: { description: "By user id", schema: z.object({ staff: z.array(staffJson), next_cursor: z.string().nullable() }) } },
    async handler({ params, query, deps }) {
      const page = pageOf(await deps.identity.listShopStaff(params.id), (m) => m.userId, query);
      return { status: 200, json: { staff: page.items.map(staffToJson), next_cursor: page.nextCursor } };
    },
  }),

  defineRoute({
    method: "put",
    path: "/v1/admin/shops/{id}/staff/{user_id}",
    roles: operators,
    tags,
    summary: "スタッフ追加・変更 Add a person to a shop, or change their role",
    description: "The user's merchant_owner / merchant_staff role follows from this at their next token.",
    request: { params: staffParams, body: staffBody },
    responses: { 200: { description: "Their place at the shop", schema: staffJson } },
    errors: ["shop_not_found", "user_not_found", "invalid_role", "last_owner"],
    async handler({ params, body, principal, deps, requestId }) {
      const set = orProblem(await deps.identity.setShopStaff(params.id, params.user_id, body.role, actorOf(principal, requestId)));
      return { status: 200, json: staffToJson(set.member) };
    },
  }),

  defineRoute({
    method: "delete",
    path: "/v1/admin/shops/{id}/staff/{user_id}",
    roles: operators,
    tags,
    summary: "スタッフ削除 Remove a person from a shop (at once)",
    request: { params: staffParams },
    responses: { 200: { description: "Removed", schema: z.object({ removed: z.literal(true) }) } },
    errors: ["staff_not_found", "last_owner"],
    async handler({ params, principal, deps, requestId }) {
      orProblem(await deps.identity.removeShopStaff(params.id, params.user_id, actorOf(principal, requestId)));
      return { status: 200, json: { removed: true } };
    },
  }),
];
