// Shops (加盟店) and their people: one or more owners and any number of staff. A shop's last owner cannot be
// removed, so every shop always has someone who can manage it.
import { newId, shopStatuses, validateBankAccount, validateShop, type BankAccount, type ShopInput, type ShopStatus } from "@tsubaki/auth";
import { assert } from "@tsubaki/ledger";
import type { SqlClient } from "../client";
import { containsPattern } from "../sql-like";
import { appendAudit, pageLimit, paginate, type IdentityContext } from "./context";
import { shopColumns, shopFromRow, staffColumns, staffFromRow, type ShopRow, type StaffRow } from "./rows";
import type { AuditActor, PageQuery, Shop, ShopStaffMember, ShopStaffRole } from "./types";

type Fail<C extends string> = { ok: false; code: C; detail: string };
const fail = <C extends string>(code: C, detail: string): Fail<C> => ({ ok: false, code, detail });

export type CreateShopResult = { ok: true; shop: Shop } | { ok: false; code: "invalid_field"; field: string; detail: string } | Fail<"shop_code_taken">;

/** What the audit log keeps of a bank account: enough to recognise it, not the full number. */
function bankSummary(bank: BankAccount | null): Record<string, unknown> | null {
  return bank === null ? null : { bank_code: bank.bankCode, branch_code: bank.branchCode, account_type: bank.accountType, account_last3: bank.accountNumber.slice(-3) };
}

function bankParams(bank: BankAccount | null): (string | null)[] {
  return bank === null ? [null, null, null, null, null] : [bank.bankCode, bank.branchCode, bank.accountType, bank.accountNumber, bank.holderKana];
}

async function lockShop(tx: SqlClient, shopId: string): Promise<ShopRow | undefined> {
  const [row] = await tx.query<ShopRow>(`SELECT ${shopColumns} FROM shops WHERE id = $1 FOR UPDATE`, [shopId]);
  return row;
}

export function createShopStore(ctx: IdentityContext) {
  const { db } = ctx;

  return {
    async createShop(input: ShopInput & { status?: ShopStatus }, by: AuditActor): Promise<CreateShopResult> {
      const checked = validateShop(input);
      if (!checked.ok) return checked;
      const s = checked.value;
      const status = input.status ?? "applied";
      if (!shopStatuses.includes(status)) return { ok: false, code: "invalid_field", field: "status", detail: shopStatuses.join(" | ") };
      const now = ctx.now();
      return db.transaction(async (tx): Promise<CreateShopResult> => {
        const [row] = await tx.query<ShopRow>(
          `INSERT INTO shops (id, code, name_ja, name_latin, category, tier, mcc, fee_rate_bp, bank_code, bank_branch_code, bank_account_type,
             bank_account_number, bank_holder_kana, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::timestamptz, $15::timestamptz)
           ON CONFLICT (code) DO NOTHING RETURNING ${shopColumns}`,
          [newId("shop"), s.code, s.nameJa, s.nameLatin, s.category, s.tier, s.mcc, s.feeRateBasisPoints, ...bankParams(s.bank), status, now.toISOString()],
        );
        if (!row) return fail("shop_code_taken", `a shop with code ${s.code} exists`);
        await appendAudit(tx, now, by, "shop.created", row.id, { code: s.code, name_ja: s.nameJa, tier: s.tier, status, bank: bankSummary(s.bank) });
        return { ok: true, shop: shopFromRow(row) };
      });
    },

    async getShop(id: string): Promise<Shop | null> {
      const [row] = await db.query<ShopRow>(`SELECT ${shopColumns} FROM shops WHERE id = $1`, [id]);
      return row ? shopFromRow(row) : null;
    },

    async findShopByCode(code: string): Promise<Shop | null> {
      const [row] = await db.query<ShopRow>(`SELECT ${shopColumns} FROM shops WHERE code = $1`, [code]);
      return row ? shopFromRow(row) : null;
    },

    /**
     * `q`: a part of the code, the Japanese or the Latin name (any case), or the whole shop id. Names are stored
     * NFKC-normalised, so what was typed is too: full-width Latin (ＢＡＫＥＲＹ) and half-width kana (ﾍﾞｰｶﾘｰ), as an
     * IME often gives them, find the shop.
     */
    async listShops(query: PageQuery & { status?: ShopStatus; q?: string } = {}): Promise<{ shops: Shop[]; nextCursor: string | null }> {
      const limit = pageLimit(query.limit);
      const q = query.q?.normalize("NFKC");
      const pattern = q ? containsPattern(q) : null;
      const rows = await db.query<ShopRow>(
        `SELECT ${shopColumns} FROM shops WHERE id > $1 AND ($2::text IS NULL OR status = $2)
           AND ($4::text IS NULL OR code ILIKE $4 OR name_ja ILIKE $4 OR name_latin ILIKE $4 OR id = $5)
         ORDER BY id LIMIT $3`,
        [query.cursor ?? "", query.status ?? null, limit + 1, pattern, q ?? null],
      );
      const page = paginate(rows, limit, (r) => r.id);
      return { shops: page.items.map(shopFromRow), nextCursor: page.nextCursor };
    },

    async setShopStatus(shopId: string, status: ShopStatus, by: AuditActor): Promise<{ ok: true; shop: Shop } | Fail<"shop_not_found" | "invalid_status">> {
      if (!shopStatuses.includes(status)) return fail("invalid_status", shopStatuses.join(" | "));
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const before = await lockShop(tx, shopId);
        if (!before) return fail("shop_not_found", `no shop ${shopId}`);
        const [row] = await tx.query<ShopRow>(`UPDATE shops SET status = $2, updated_at = $3::timestamptz WHERE id = $1 RETURNING ${shopColumns}`, [shopId, status, now.toISOString()]);
        assert(row, "the locked shop is updated");
        await appendAudit(tx, now, by, "shop.status_changed", shopId, { before: before.status, after: status });
        return { ok: true, shop: shopFromRow(row) } as const;
      });
    },

    /** Where payouts go. The audit log records the change without the full account number. */
    async setShopBank(shopId: string, bank: BankAccount | null, by: AuditActor): Promise<{ ok: true; shop: Shop } | Fail<"shop_not_found"> | { ok: false; code: "invalid_field"; field: string; detail: string }> {
      let checked: BankAccount | null = null;
      if (bank !== null) {
        const result = validateBankAccount(bank);
        if (!result.ok) return result;
        checked = result.value;
      }
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const before = await lockShop(tx, shopId);
        if (!before) return fail("shop_not_found", `no shop ${shopId}`);
        const [row] = await tx.query<ShopRow>(
          `UPDATE shops SET bank_code = $2, bank_branch_code = $3, bank_account_type = $4, bank_account_number = $5, bank_holder_kana = $6, updated_at = $7::timestamptz
           WHERE id = $1 RETURNING ${shopColumns}`,
          [shopId, ...bankParams(checked), now.toISOString()],
        );
        assert(row, "the locked shop is updated");
        await appendAudit(tx, now, by, "shop.bank_changed", shopId, { before: bankSummary(shopFromRow(before).bank), after: bankSummary(checked) });
        return { ok: true, shop: shopFromRow(row) } as const;
      });
    },

    /** Adds a person to a shop, or changes their role there. */
    async setShopStaff(shopId: string, userId: string, role: ShopStaffRole, by: AuditActor): Promise<{ ok: true; member: ShopStaffMember } | Fail<"shop_not_found" | "user_not_found" | "invalid_role" | "last_owner">> {
      if (role !== "owner" && role !== "staff") return fail("invalid_role", "owner | staff");
      const now = ctx.now();
      return db.transaction(async (tx) => {
        if (!(await lockShop(tx, shopId))) return fail("shop_not_found", `no shop ${shopId}`);
        const [user] = await tx.query(`SELECT 1 FROM users WHERE id = $1`, [userId]);
        if (!user) return fail("user_not_found", `no user ${userId}`);
        const [previous] = await tx.query<StaffRow>(`SELECT ${staffColumns} FROM shop_staff WHERE shop_id = $1 AND user_id = $2`, [shopId, userId]);
        if (previous?.role === "owner" && role === "staff") {
          const [owners] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM shop_staff WHERE shop_id = $1 AND role = 'owner'`, [shopId]);
          if ((owners?.n ?? 0) <= 1) return fail("last_owner", "a shop keeps at least one owner");
        }
        const [row] = await tx.query<StaffRow>(
          `INSERT INTO shop_staff (shop_id, user_id, role, added_at) VALUES ($1, $2, $3, $4::timestamptz)
           ON CONFLICT (shop_id, user_id) DO UPDATE SET role = excluded.role RETURNING ${staffColumns}`,
          [shopId, userId, role, now.toISOString()],
        );
        assert(row, "the staff row was written");
        await appendAudit(tx, now, by, "shop.staff_added", shopId, { user_id: userId, role, previous_role: previous?.role ?? null });
        return { ok: true, member: staffFromRow(row) } as const;
      });
    },

    async removeShopStaff(shopId: string, userId: string, by: AuditActor): Promise<{ ok: true } | Fail<"staff_not_found" | "last_owner">> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        await lockShop(tx, shopId);
        const [previous] = await tx.query<StaffRow>(`SELECT ${staffColumns} FROM shop_staff WHERE shop_id = $1 AND user_id = $2`, [shopId, userId]);
        if (!previous) return fail("staff_not_found", "this user is not on the shop's staff");
        if (previous.role === "owner") {
          const [owners] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM shop_staff WHERE shop_id = $1 AND role = 'owner'`, [shopId]);
          if ((owners?.n ?? 0) <= 1) return fail("last_owner", "a shop keeps at least one owner");
        }
        await tx.query(`DELETE FROM shop_staff WHERE shop_id = $1 AND user_id = $2`, [shopId, userId]);
        await appendAudit(tx, now, by, "shop.staff_removed", shopId, { user_id: userId, role: previous.role });
        return { ok: true } as const;
      });
    },

    async listShopStaff(shopId: string): Promise<ShopStaffMember[]> {
      const rows = await db.query<StaffRow>(`SELECT ${staffColumns} FROM shop_staff WHERE shop_id = $1 ORDER BY role, added_at, user_id LIMIT 100`, [shopId]);
      return rows.map(staffFromRow);
    },

    async shopRoleOf(shopId: string, userId: string): Promise<ShopStaffRole | null> {
      const [row] = await db.query<{ role: ShopStaffRole }>(`SELECT role FROM shop_staff WHERE shop_id = $1 AND user_id = $2`, [shopId, userId]);
      return row?.role ?? null;
    },

    async shopsOfUser(userId: string): Promise<(ShopStaffMember & { shop: Shop })[]> {
      const rows = await db.query<StaffRow & ShopRow>(
        `SELECT ${staffColumns.split(", ").map((c) => `st.${c}`).join(", ")}, ${shopColumns.split(",").map((c) => `s.${c.trim()}`).join(", ")}
         FROM shop_staff st JOIN shops s ON s.id = st.shop_id WHERE st.user_id = $1 ORDER BY s.id LIMIT 100`,
        [userId],
      );
      return rows.map((r) => ({ ...staffFromRow(r), shop: shopFromRow(r) }));
    },
  };
}
