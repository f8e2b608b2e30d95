// A shop as its own people see it: owners and staff read the shop (the bank account only for owners), owners see
// who works there. Changes to the shop, its bank account and its staff are the city's (admin-shops.ts).
import { accountIdOf } from "@tsubaki/auth";
import { z } from "zod";
import { identityProblem } from "../auth/problems";
import { idParams, pageOf, pageQuery, shopJson, shopToJson, staffJson, staffToJson } from "../schemas/identity";
import { defineRoute } from "./registry";

const tags = ["shops"];

export const shopRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/shops/{id}",
    roles: ["merchant_owner", "merchant_staff"],
    ownership: { kind: "shop", staff: "any" },
    tags,
    summary: "店舗情報 My shop",
    request: { params: idParams },
    responses: { 200: { description: "The shop (bank account: owners only)", schema: shopJson } },
    errors: ["shop_not_found"],
    async handler({ params, access, deps }) {
      const shop = await deps.identity.getShop(params.id);
      if (shop === null) throw identityProblem({ ok: false, code: "shop_not_found", detail: `no shop ${params.id}` });
      return { status: 200, json: shopToJson(shop, accountIdOf.shop(shop.id), { withBank: access.actingAs === "shop_owner" }) };
    },
  }),

  defineRoute({
    method: "get",
    path: "/v1/shops/{id}/staff",
    roles: ["merchant_owner"],
    ownership: { kind: "shop", staff: "owner" },
    tags,
    summary: "スタッフ一覧 The people of my shop",
    request: { params: idParams, query: pageQuery },
    responses: { 200: { description: "Owners and staff", schema: z.object({ staff: z.array(staffJson), next_cursor: z.string().nullable() }) } },
    async handler({ params, query, deps }) {
      const page = pageOf(await deps.identity.listShopStaff(params.id), (m) => m.userId, query);
      return { status: 200, json: { staff: page.items.map(staffToJson), next_cursor: page.nextCursor } };
    },
  }),
];
