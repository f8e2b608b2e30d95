// Residents, their printed cards (number + PIN, five wrong PINs lock the card until an administrator unlocks it),
// and proxies (a resident lets another user view history and/or pay up to a daily amount; revocable at once).
import {
  checkPinFormat,
  decideProxySpend,
  hashSecret,
  isValidCardNumber,
  isValidDailyLimit,
  newCardNumber,
  newId,
  normalizeCardNumber,
  pinAfterAttempt,
  pinAttemptsMax,
  pinCheckAllowed,
  tokyoDay,
  validateResident,
  verifySecret,
  type ResidentInput,
} from "@tsubaki/auth";
import { assert } from "@tsubaki/ledger";
import type { SqlClient } from "../client";
import { appendAudit, pageLimit, paginate, type IdentityContext } from "./context";
import { cardColumns, cardFromRow, proxyColumns, proxyFromRow, residentColumns, residentFromRow, type CardRow, type ProxyRow, type ResidentRow } from "./rows";
import type { AuditActor, Card, PageQuery, Proxy, Resident } from "./types";

/** Card issue attempts when a random number collides with an existing one (practically never). */
const cardNumberAttemptsMax = 5;

export type CreateResidentResult =
  | { ok: true; resident: Resident }
  | { ok: false; code: "invalid_field"; field: string; detail: string }
  | { ok: false; code: "user_not_found" | "user_taken"; detail: string };

export type IssueCardResult = { ok: true; card: Card } | { ok: false; code: "resident_not_found" | "pin_format" | "pin_too_simple"; detail: string };

export type CardPinResult =
  | { ok: true; card: Card; residentId: string }
  | { ok: false; code: "card_not_found" | "card_revoked" | "card_locked"; detail: string }
  | { ok: false; code: "pin_incorrect"; detail: string; triesLeft: number };

export type GrantProxyResult =
  | { ok: true; proxy: Proxy }
  | { ok: false; code: "resident_not_found" | "user_not_found" | "proxy_exists" | "proxy_self" | "invalid_limit"; detail: string };

export type ProxySpendResult =
  | { ok: true; remainingYen: bigint; replayed: boolean }
  | { ok: false; code: "proxy_not_found" | "proxy_revoked" | "proxy_limit_exceeded" | "invalid_amount" | "ref_reused"; detail: string; remainingYen: bigint };

type Fail<C extends string> = { ok: false; code: C; detail: string };
const fail = <C extends string>(code: C, detail: string): Fail<C> => ({ ok: false, code, detail });

async function spentToday(tx: SqlClient, proxyId: string, day: string): Promise<bigint> {
  const [row] = await tx.query<{ spent: string }>(
    `SELECT coalesce(sum(amount_yen), 0)::text AS spent FROM proxy_spends WHERE proxy_id = $1 AND day = $2::date AND released_at IS NULL`,
    [proxyId, day],
  );
  return BigInt(row?.spent ?? "0");
}

export function createResidentStore(ctx: IdentityContext) {
  const { db } = ctx;

  /** One audited change to a card; `set` uses $2, $3… for `params`. */
  async function updateCard(
    cardId: string,
    by: AuditActor,
    action: "card.unlocked" | "card.revoked" | "card.pin_changed",
    set: string,
    params: unknown[],
  ): Promise<{ ok: true; card: Card } | Fail<"card_not_found">> {
    const now = ctx.now();
    return db.transaction(async (tx) => {
      const [row] = await tx.query<CardRow>(`UPDATE cards SET ${set} WHERE id = $1 RETURNING ${cardColumns}`, [cardId, ...params]);
      if (!row) return fail("card_not_found", `no card ${cardId}`);
      await appendAudit(tx, now, by, action, row.resident_id, { card_id: cardId });
      return { ok: true, card: cardFromRow(row) } as const;
    });
  }

  return {
    async createResident(input: ResidentInput & { userId?: string | null }, by: AuditActor): Promise<CreateResidentResult> {
      const now = ctx.now();
      const checked = validateResident(input, now);
      if (!checked.ok) return checked;
      const r = checked.value;
      return db.transaction(async (tx): Promise<CreateResidentResult> => {
        if (input.userId) {
          const [user] = await tx.query<{ taken: boolean }>(`SELECT EXISTS (SELECT 1 FROM residents WHERE user_id = u.id) AS taken FROM users u WHERE u.id = $1 FOR UPDATE`, [input.userId]);
          if (!user) return fail("user_not_found", `no user ${input.userId}`);
          if (user.taken) return fail("user_taken", "this user already has a resident record");
        }
        const [row] = await tx.query<ResidentRow>(
          `INSERT INTO residents (id, user_id, name, name_kana, birth_date, district, created_at) VALUES ($1, $2, $3, $4, $5::date, $6, $7::timestamptz) RETURNING ${residentColumns}`,
          [newId("resident"), input.userId ?? null, r.name, r.nameKana, r.birthDate, r.district, now.toISOString()],
        );
        assert(row, "the resident was inserted");
        await appendAudit(tx, now, by, "resident.created", row.id, { user_id: input.userId ?? null, district: r.district });
        return { ok: true, resident: residentFromRow(row) };
      });
    },

    async getResident(id: string): Promise<Resident | null> {
      const [row] = await db.query<ResidentRow>(`SELECT ${residentColumns} FROM residents WHERE id = $1`, [id]);
      return row ? residentFromRow(row) : null;
    },

    async findResidentByUser(userId: string): Promise<Resident | null> {
      const [row] = await db.query<ResidentRow>(`SELECT ${residentColumns} FROM residents WHERE user_id = $1`, [userId]);
      return row ? residentFromRow(row) : null;
    },

    /** Residents by id, optionally those whose kana name starts with a prefix (the counter's search). */
    async listResidents(query: PageQuery & { nameKanaPrefix?: string } = {}): Promise<{ residents: Resident[]; nextCursor: string | null }> {
      const limit = pageLimit(query.limit);
      const prefix = query.nameKanaPrefix ? query.nameKanaPrefix.normalize("NFKC").replace(/[%_\\]/g, "\\$&") + "%" : null;
      const rows = await db.query<ResidentRow>(
        `SELECT ${residentColumns} FROM residents WHERE id > $1 AND ($2::text IS NULL OR name_kana LIKE $2) ORDER BY id LIMIT $3`,
        [query.cursor ?? "", prefix, limit + 1],
      );
      const page = paginate(rows, limit, (r) => r.id);
      return { residents: page.items.map(residentFromRow), nextCursor: page.nextCursor };
    },

    /** Identity checked at the counter (P2P transfers need a verified resident). */
    async verifyResident(id: string, by: AuditActor): Promise<{ ok: true; resident: Resident } | Fail<"resident_not_found">> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [row] = await tx.query<ResidentRow>(
          `UPDATE residents SET verified_at = coalesce(verified_at, $2::timestamptz), verified_by = coalesce(verified_by, $3) WHERE id = $1 RETURNING ${residentColumns}`,
          [id, now.toISOString(), by.actor],
        );
        if (!row) return fail("resident_not_found", `no resident ${id}`);
        await appendAudit(tx, now, by, "resident.verified", id, {});
        return { ok: true, resident: residentFromRow(row) } as const;
      });
    },

    /** A new card with its PIN (format checked against the holder's birth date). The number is printed on it. */
    async issueCard(input: { residentId: string; pin: string }, by: AuditActor): Promise<IssueCardResult> {
      const [resident] = await db.query<{ birth_date: string }>(`SELECT birth_date::text AS birth_date FROM residents WHERE id = $1`, [input.residentId]);
      if (!resident) return fail("resident_not_found", `no resident ${input.residentId}`);
      const pin = checkPinFormat(input.pin, { birthDate: resident.birth_date });
      if (!pin.ok) return pin;
      const pinHash = await hashSecret(pin.pin, ctx.secretParams);
      const now = ctx.now();
      for (let attempt = 0; attempt < cardNumberAttemptsMax; attempt++) {
        const number = newCardNumber();
        const card = await db.transaction(async (tx) => {
          const [row] = await tx.query<CardRow>(
            `INSERT INTO cards (id, number, resident_id, pin_hash, issued_at) VALUES ($1, $2, $3, $4, $5::timestamptz) ON CONFLICT (number) DO NOTHING RETURNING ${cardColumns}`,
            [newId("card"), number, input.residentId, pinHash, now.toISOString()],
          );
          if (row) await appendAudit(tx, now, by, "card.issued", input.residentId, { card_id: row.id, number_last4: number.slice(-4) });
          return row ? cardFromRow(row) : null;
        });
        if (card) return { ok: true, card };
      }
      throw new Error(`BUG: ${cardNumberAttemptsMax} random card numbers in a row were taken`);
    },

    async getCard(id: string): Promise<Card | null> {
      const [row] = await db.query<CardRow>(`SELECT ${cardColumns} FROM cards WHERE id = $1`, [id]);
      return row ? cardFromRow(row) : null;
    },

    async findCardByNumber(number: string): Promise<Card | null> {
      const n = normalizeCardNumber(number);
      if (n === null || !isValidCardNumber(n)) return null;
      const [row] = await db.query<CardRow>(`SELECT ${cardColumns} FROM cards WHERE number = $1`, [n]);
      return row ? cardFromRow(row) : null;
    },

    async listCardsOfResident(residentId: string): Promise<Card[]> {
      const rows = await db.query<CardRow>(`SELECT ${cardColumns} FROM cards WHERE resident_id = $1 ORDER BY issued_at, id LIMIT 100`, [residentId]);
      return rows.map(cardFromRow);
    },

    /**
     * Checks a card's PIN at a shop or a terminal. Order: number (Luhn) → card exists → not revoked → not locked →
     * PIN. The card row stays locked while the PIN is checked, so five tries are five tries however many arrive at
     * once. The fifth wrong PIN in a row locks the card (audited); a right one resets the count.
     */
    async checkCardPin(input: { number: string; pin: string }, by: AuditActor): Promise<CardPinResult> {
      const number = normalizeCardNumber(input.number);
      if (number === null || !isValidCardNumber(number)) return fail("card_not_found", "no such card");
      const now = ctx.now();
      return db.transaction(async (tx): Promise<CardPinResult> => {
        const [row] = await tx.query<CardRow & { pin_hash: string }>(`SELECT ${cardColumns}, pin_hash FROM cards WHERE number = $1 FOR UPDATE`, [number]);
        if (!row) return fail("card_not_found", "no such card");
        if (row.status === "revoked") return fail("card_revoked", "this card is no longer valid");
        const state = { failures: Number(row.pin_failures), locked: row.locked_at !== null };
        if (!pinCheckAllowed(state)) return fail("card_locked", "this card is locked; the city office can unlock it");
        const attempt = pinAfterAttempt(state, await verifySecret(input.pin, row.pin_hash));
        const [updated] = await tx.query<CardRow>(
          `UPDATE cards SET pin_failures = $2, locked_at = CASE WHEN $3 THEN $4::timestamptz ELSE NULL END WHERE id = $1 RETURNING ${cardColumns}`,
          [row.id, attempt.state.failures, attempt.state.locked, now.toISOString()],
        );
        assert(updated, "the locked card row is updated");
        switch (attempt.outcome) {
          case "ok":
            return { ok: true, card: cardFromRow(updated), residentId: row.resident_id };
          case "wrong":
            return { ok: false, code: "pin_incorrect", detail: `wrong PIN; ${attempt.triesLeft} tries left`, triesLeft: attempt.triesLeft };
          case "locked":
            await appendAudit(tx, now, by, "card.locked", row.resident_id, { card_id: row.id, failures: pinAttemptsMax });
            return fail("card_locked", "wrong PIN; the card is now locked, the city office can unlock it");
        }
      });
    },

    /** An administrator lifts a PIN lock (after checking the holder's identity at the counter). */
    unlockCard: (cardId: string, by: AuditActor) => updateCard(cardId, by, "card.unlocked", `pin_failures = 0, locked_at = NULL`, []),

    async changeCardPin(cardId: string, pin: string, by: AuditActor): Promise<{ ok: true; card: Card } | Fail<"card_not_found" | "pin_format" | "pin_too_simple">> {
      const [card] = await db.query<{ birth_date: string }>(`SELECT r.birth_date::text AS birth_date FROM cards c JOIN residents r ON r.id = c.resident_id WHERE c.id = $1`, [cardId]);
      if (!card) return fail("card_not_found", `no card ${cardId}`);
      const checked = checkPinFormat(pin, { birthDate: card.birth_date });
      if (!checked.ok) return checked;
      const pinHash = await hashSecret(checked.pin, ctx.secretParams);
      return updateCard(cardId, by, "card.pin_changed", `pin_hash = $2, pin_failures = 0, locked_at = NULL`, [pinHash]);
    },

    /** A lost or replaced card: refused from now on (and listed for offline terminals). */
    revokeCard: (cardId: string, by: AuditActor) => updateCard(cardId, by, "card.revoked", `status = 'revoked', revoked_at = coalesce(revoked_at, $2::timestamptz)`, [ctx.now().toISOString()]),

    async grantProxy(input: { grantorResidentId: string; proxyUserId: string; dailyLimitYen: bigint; canViewHistory: boolean }, by: AuditActor): Promise<GrantProxyResult> {
      if (!isValidDailyLimit(input.dailyLimitYen)) return fail("invalid_limit", "the daily limit is 0 to 1,000,000 yen");
      const now = ctx.now();
      return db.transaction(async (tx): Promise<GrantProxyResult> => {
        const [resident] = await tx.query<{ user_id: string | null }>(`SELECT user_id FROM residents WHERE id = $1 FOR UPDATE`, [input.grantorResidentId]);
        if (!resident) return fail("resident_not_found", `no resident ${input.grantorResidentId}`);
        if (resident.user_id === input.proxyUserId) return fail("proxy_self", "a resident cannot be their own proxy");
        const [user] = await tx.query(`SELECT 1 FROM users WHERE id = $1`, [input.proxyUserId]);
        if (!user) return fail("user_not_found", `no user ${input.proxyUserId}`);
        const [row] = await tx.query<ProxyRow>(
          `INSERT INTO proxies (id, grantor_resident_id, proxy_user_id, daily_limit_yen, can_view_history, created_at)
           VALUES ($1, $2, $3, $4::text::bigint, $5, $6::timestamptz)
           ON CONFLICT (grantor_resident_id, proxy_user_id) WHERE revoked_at IS NULL DO NOTHING RETURNING ${proxyColumns}`,
          [newId("proxy"), input.grantorResidentId, input.proxyUserId, input.dailyLimitYen.toString(), input.canViewHistory, now.toISOString()],
        );
        if (!row) return fail("proxy_exists", "this user is already a proxy of this resident; revoke it first to change it");
        await appendAudit(tx, now, by, "proxy.granted", input.grantorResidentId, {
          proxy_id: row.id,
          proxy_user_id: input.proxyUserId,
          daily_limit_yen: input.dailyLimitYen,
          can_view_history: input.canViewHistory,
        });
        return { ok: true, proxy: proxyFromRow(row) };
      });
    },

    /** Takes effect at once: every later request of the proxy reads the revoked grant. */
    async revokeProxy(proxyId: string, by: AuditActor): Promise<{ ok: true; proxy: Proxy } | Fail<"proxy_not_found">> {
      const now = ctx.now();
      return db.transaction(async (tx) => {
        const [row] = await tx.query<ProxyRow>(`UPDATE proxies SET revoked_at = coalesce(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING ${proxyColumns}`, [proxyId, now.toISOString()]);
        if (!row) return fail("proxy_not_found", `no proxy ${proxyId}`);
        await appendAudit(tx, now, by, "proxy.revoked", row.grantor_resident_id, { proxy_id: proxyId, proxy_user_id: row.proxy_user_id });
        return { ok: true, proxy: proxyFromRow(row) } as const;
      });
    },

    async getProxy(id: string): Promise<Proxy | null> {
      const [row] = await db.query<ProxyRow>(`SELECT ${proxyColumns} FROM proxies WHERE id = $1`, [id]);
      return row ? proxyFromRow(row) : null;
    },

    /** The live grant from a resident to a user, read fresh (no cache: revocation is immediate). */
    async findActiveProxy(grantorResidentId: string, proxyUserId: string): Promise<Proxy | null> {
      const [row] = await db.query<ProxyRow>(`SELECT ${proxyColumns} FROM proxies WHERE grantor_resident_id = $1 AND proxy_user_id = $2 AND revoked_at IS NULL`, [
        grantorResidentId,
        proxyUserId,
      ]);
      return row ? proxyFromRow(row) : null;
    },

    async listProxiesOfResident(residentId: string, options: { includeRevoked?: boolean } = {}): Promise<Proxy[]> {
      const rows = await db.query<ProxyRow>(
        `SELECT ${proxyColumns} FROM proxies WHERE grantor_resident_id = $1 AND ($2 OR revoked_at IS NULL) ORDER BY created_at, id LIMIT 100`,
        [residentId, options.includeRevoked ?? false],
      );
      return rows.map(proxyFromRow);
    },

    async listProxiesOfUser(userId: string): Promise<Proxy[]> {
      const rows = await db.query<ProxyRow>(`SELECT ${proxyColumns} FROM proxies WHERE proxy_user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id LIMIT 100`, [userId]);
      return rows.map(proxyFromRow);
    },

    /**
     * Records a payment a proxy makes for the resident, within today's limit (Japan's day). `ref` is the
     * payment's id: the same ref and amount again is a replay (counted once); the same ref with another amount is
     * ref_reused. Call before moving money; releaseProxySpend if the payment then fails.
     */
    async spendAsProxy(input: { proxyId: string; ref: string; amountYen: bigint }): Promise<ProxySpendResult> {
      const now = ctx.now();
      const day = tokyoDay(now);
      return db.transaction(async (tx): Promise<ProxySpendResult> => {
        const [row] = await tx.query<ProxyRow>(`SELECT ${proxyColumns} FROM proxies WHERE id = $1 FOR UPDATE`, [input.proxyId]);
        if (!row) return { ...fail("proxy_not_found", `no proxy ${input.proxyId}`), remainingYen: 0n };
        const grant = proxyFromRow(row);
        const spent = await spentToday(tx, grant.id, day);
        const [previous] = await tx.query<{ amount_yen: string; released: boolean }>(
          `SELECT amount_yen::text AS amount_yen, released_at IS NOT NULL AS released FROM proxy_spends WHERE proxy_id = $1 AND ref = $2`,
          [grant.id, input.ref],
        );
        const remaining = grant.revokedAt === null && grant.dailyLimitYen > spent ? grant.dailyLimitYen - spent : 0n;
        if (previous) {
          if (BigInt(previous.amount_yen) !== input.amountYen) return { ...fail("ref_reused", "this payment id was used with another amount"), remainingYen: remaining };
          return { ok: true, remainingYen: remaining, replayed: true };
        }
        const decision = decideProxySpend(grant, spent, input.amountYen);
        if (!decision.ok) return decision;
        await tx.query(`INSERT INTO proxy_spends (proxy_id, ref, day, amount_yen, created_at) VALUES ($1, $2, $3::date, $4::text::bigint, $5::timestamptz)`, [
          grant.id,
          input.ref,
          day,
          input.amountYen.toString(),
          now.toISOString(),
        ]);
        return { ok: true, remainingYen: decision.remainingYen, replayed: false };
      });
    },

    /** Gives back a recorded spend whose payment failed. */
    async releaseProxySpend(proxyId: string, ref: string): Promise<{ ok: boolean }> {
      const rows = await db.query(`UPDATE proxy_spends SET released_at = $3::timestamptz WHERE proxy_id = $1 AND ref = $2 AND released_at IS NULL RETURNING 1`, [
        proxyId,
        ref,
        ctx.now().toISOString(),
      ]);
      return { ok: rows.length > 0 };
    },

    async proxySpentToday(proxyId: string): Promise<bigint> {
      return spentToday(db, proxyId, tokyoDay(ctx.now()));
    },
  };
}
