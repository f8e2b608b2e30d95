// The demo town (DESIGN §7: "a demo town is seeded … and its logins are printed"): city staff of every role, a
// counter clerk, three residents (verified with a card, unverified, and an elderly resident with a card only), her
// family member as a proxy, three shops with their people, a bus fare terminal waiting to be paired, and everyone's
// ledger accounts. Idempotent: every step looks for what it would make first, so a second run creates nothing and
// writes nothing to the audit log; it only reads back what is there (and prints the same logins).
//
// DEMO ONLY. The passwords and PINs below are fixed and printed at start. Never seed a production database
// (TSUBAKI_SEED=off; the Node entry seeds only an empty embedded database unless told otherwise).
import { accountIdOf, formatCardNumber, type Role } from "@tsubaki/auth";
import type { AuditActor, Card, IdentityStore, Resident, Shop, User, UserKind } from "@tsubaki/db";
import { assert } from "@tsubaki/ledger";
import { cityAccounts, counterAccounts, ensureAccounts, residentAccounts, shopAccounts } from "./services/accounts";
import type { LedgerService } from "./services/ledger";

/** The one password of every demo login. Demo only: printed at start, never use it anywhere real. */
export const demoPassword = "tsubaki-demo-1";

export interface SeedDeps {
  identity: IdentityStore;
  ledger: LedgerService;
}

export interface DemoLogin {
  /** The role the login demonstrates (or "card" for a card-only resident: login = card number, password = PIN). */
  role: Role | "card";
  login: string;
  password: string;
  /** Japanese / English. */
  note: string;
}

export interface DemoTown {
  logins: DemoLogin[];
  users: Record<DemoUserKey, string>;
  residents: Record<"hanako" | "taro" | "ume", string>;
  shops: Record<"wagashi" | "yaoya" | "supermarket", string>;
  cards: Record<"hanako" | "ume", { id: string; number: string; pin: string }>;
  device: { id: string; name: string; status: "pending" | "active" | "revoked"; pairingCode: string | null; pairingExpiresAt: Date | null };
}

/**
 * One more step of the demo town (e.g. a campaign and charged coins, from the payments work): it receives the
 * town as seeded so far. It must be idempotent like the rest: look before making.
 */
export type SeedStep = (town: DemoTown, deps: SeedDeps) => Promise<void>;

export interface SeedOptions {
  steps?: readonly SeedStep[];
}

const seedActor: AuditActor = Object.freeze({ actor: "system:seed", actorRoles: Object.freeze([]) as readonly string[], requestId: null });

type DemoUserKey =
  | "operator"
  | "approver"
  | "auditor"
  | "counter"
  | "hanako"
  | "taro"
  | "kenichi"
  | "wagashiOwner"
  | "yaoyaOwner"
  | "superOwner"
  | "superStaff";

interface UserSpec {
  key: DemoUserKey;
  login: string;
  displayName: string;
  kind: UserKind;
  roles: Role[];
  /** The role shown in the table (granted or derived). */
  shownRole: Role;
  note: string;
}

const userSpecs: readonly UserSpec[] = [
  { key: "operator", login: "admin-ops", displayName: "野々市市 運用担当", kind: "city", roles: ["admin_operator"], shownRole: "admin_operator", note: "市の運用担当: 利用者・店舗・カード・端末 / City operator: users, shops, cards, terminals" },
  { key: "approver", login: "admin-approver", displayName: "野々市市 承認担当", kind: "city", roles: ["admin_approver"], shownRole: "admin_approver", note: "発行の承認 (二人目) / Approves large issuance (second person)" },
  { key: "auditor", login: "admin-auditor", displayName: "野々市市 監査担当", kind: "city", roles: ["admin_auditor"], shownRole: "admin_auditor", note: "監査ログ・報告の閲覧 / Reads the audit log and reports" },
  { key: "counter", login: "counter", displayName: "市役所 窓口担当", kind: "city", roles: ["counter_staff"], shownRole: "counter_staff", note: "窓口: 住民登録・現金チャージ / Counter: registers residents, takes cash for charges" },
  { key: "hanako", login: "hanako", displayName: "野々市 花子", kind: "resident", roles: [], shownRole: "resident", note: "住民 (本人確認済み・カードあり) / Resident, verified, with a card" },
  { key: "taro", login: "taro", displayName: "御経塚 太郎", kind: "resident", roles: [], shownRole: "resident", note: "住民 (本人確認前) / Resident, not verified yet" },
  { key: "kenichi", login: "kenichi", displayName: "押野 健一", kind: "resident", roles: [], shownRole: "proxy", note: "押野ウメさんの家族 (代理人: 1日 ¥3,000) / Ume's son, her proxy (¥3,000 a day)" },
  { key: "wagashiOwner", login: "tsubakiya", displayName: "椿屋 店主", kind: "merchant", roles: [], shownRole: "merchant_owner", note: "和菓子 椿屋 (小規模店) の店主 / Owner, Wagashi Tsubakiya (small shop)" },
  { key: "yaoyaOwner", login: "yaoya", displayName: "本町青果 店主", kind: "merchant", roles: [], shownRole: "merchant_owner", note: "八百屋 本町青果 (小規模店) の店主 / Owner, Honmachi Seika greengrocer (small)" },
  { key: "superOwner", login: "super-owner", displayName: "スーパーののいち 店長", kind: "merchant", roles: [], shownRole: "merchant_owner", note: "スーパーののいち (大規模店) 店長 / Manager, Super Nonoichi (large store)" },
  { key: "superStaff", login: "super-staff", displayName: "スーパーののいち レジ係", kind: "merchant", roles: [], shownRole: "merchant_staff", note: "スーパーののいち レジ係 / Cashier, Super Nonoichi" },
];

interface ResidentSpec {
  key: "hanako" | "taro" | "ume";
  user: DemoUserKey | null;
  name: string;
  nameKana: string;
  birthDate: string;
  district: string;
  verified: boolean;
  /** Demo only: printed with the card. */
  pin: string | null;
}

const residentSpecs: readonly ResidentSpec[] = [
  { key: "hanako", user: "hanako", name: "野々市 花子", nameKana: "ノノイチ ハナコ", birthDate: "1985-04-12", district: "本町", verified: true, pin: "4826" },
  { key: "taro", user: "taro", name: "御経塚 太郎", nameKana: "オキョウヅカ タロウ", birthDate: "1992-08-03", district: "御経塚", verified: false, pin: null },
  // No smartphone: a printed card and a PIN, and her son as proxy.
  { key: "ume", user: null, name: "押野 ウメ", nameKana: "オシノ ウメ", birthDate: "1938-03-20", district: "押野", verified: true, pin: "7391" },
];

interface ShopSpec {
  key: "wagashi" | "yaoya" | "supermarket";
  code: string;
  nameJa: string;
  nameLatin: string;
  category: string;
  tier: "small" | "large";
  mcc: string;
  feeRateBasisPoints: number;
  holderKana: string;
  accountNumber: string;
  people: { user: DemoUserKey; role: "owner" | "staff" }[];
}

const shopSpecs: readonly ShopSpec[] = [
  { key: "wagashi", code: "tsubakiya", nameJa: "和菓子 椿屋", nameLatin: "Wagashi Tsubakiya", category: "wagashi", tier: "small", mcc: "5441", feeRateBasisPoints: 100, holderKana: "ツバキヤ", accountNumber: "1234567", people: [{ user: "wagashiOwner", role: "owner" }] },
  { key: "yaoya", code: "honmachi-seika", nameJa: "八百屋 本町青果", nameLatin: "Honmachi Seika", category: "greengrocer", tier: "small", mcc: "5499", feeRateBasisPoints: 100, holderKana: "ホンマチセイカ", accountNumber: "2345678", people: [{ user: "yaoyaOwner", role: "owner" }] },
  {
    key: "supermarket",
    code: "super-nonoichi",
    nameJa: "スーパーののいち",
    nameLatin: "Super Nonoichi",
    category: "supermarket",
    tier: "large",
    mcc: "5411",
    feeRateBasisPoints: 250,
    holderKana: "カ)スーパーノノイチ",
    accountNumber: "3456789",
    people: [
      { user: "superOwner", role: "owner" },
      { user: "superStaff", role: "staff" },
    ],
  },
];

const deviceSpec = { name: "のっティ 1号車 運賃端末", operator: "のっティ (野々市市コミュニティバス)" };
const proxySpec = { grantor: "ume" as const, user: "kenichi" as const, dailyLimitYen: 3000n, canViewHistory: true };

/** A store failure here is a bug in the seed (or a database defined differently): stop loudly. */
function must<T extends { ok: boolean }>(result: T, what: string): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`seed: ${what} failed: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

async function ensureUser(identity: IdentityStore, spec: UserSpec): Promise<User> {
  const existing = await identity.findUserByLogin(spec.login);
  if (existing) return existing;
  return must(await identity.createUser({ login: spec.login, password: demoPassword, displayName: spec.displayName, kind: spec.kind, roles: spec.roles }, seedActor), `user ${spec.login}`).user;
}

async function findResident(identity: IdentityStore, spec: ResidentSpec, userId: string | null): Promise<Resident | null> {
  if (userId !== null) return identity.findResidentByUser(userId);
  // Card-only residents have no login: the same name, kana and birth date is the same person here.
  const page = await identity.listResidents({ nameKanaPrefix: spec.nameKana, limit: 100 });
  return page.residents.find((r) => r.name === spec.name && r.birthDate === spec.birthDate && r.userId === null) ?? null;
}

async function ensureResident(identity: IdentityStore, spec: ResidentSpec, userId: string | null): Promise<Resident> {
  let resident = await findResident(identity, spec, userId);
  resident ??= must(
    await identity.createResident({ name: spec.name, nameKana: spec.nameKana, birthDate: spec.birthDate, district: spec.district, userId }, seedActor),
    `resident ${spec.key}`,
  ).resident;
  if (spec.verified && !resident.verified) resident = must(await identity.verifyResident(resident.id, seedActor), `verify ${spec.key}`).resident;
  return resident;
}

async function ensureCard(identity: IdentityStore, residentId: string, pin: string): Promise<Card> {
  const cards = await identity.listCardsOfResident(residentId);
  return cards.find((c) => c.status === "active") ?? must(await identity.issueCard({ residentId, pin }, seedActor), "card").card;
}

async function ensureShop(identity: IdentityStore, spec: ShopSpec): Promise<Shop> {
  const existing = await identity.findShopByCode(spec.code);
  if (existing) return existing;
  const bank = { bankCode: "0146", branchCode: "101", accountType: "ordinary" as const, accountNumber: spec.accountNumber, holderKana: spec.holderKana };
  const { code, nameJa, nameLatin, category, tier, mcc, feeRateBasisPoints } = spec;
  return must(await identity.createShop({ code, nameJa, nameLatin, category, tier, mcc, feeRateBasisPoints, bank, status: "active" }, seedActor), `shop ${spec.code}`).shop;
}

async function ensureDevice(identity: IdentityStore): Promise<DemoTown["device"]> {
  const page = await identity.listDevices({ limit: 100 });
  const existing = page.devices.find((d) => d.name === deviceSpec.name && d.operator === deviceSpec.operator && d.status !== "revoked");
  if (existing) return { id: existing.id, name: existing.name, status: existing.status, pairingCode: null, pairingExpiresAt: existing.pairingExpiresAt };
  const created = must(await identity.createDevice(deviceSpec, seedActor), "terminal");
  return { id: created.device.id, name: created.device.name, status: created.device.status, pairingCode: created.pairingCode, pairingExpiresAt: created.expiresAt };
}

/** Seeds the demo town (or finds it seeded) and runs the extra steps. */
export async function seedDemoTown(deps: SeedDeps, options: SeedOptions = {}): Promise<DemoTown> {
  const { identity, ledger } = deps;
  await ensureAccounts(ledger, cityAccounts);

  const users = {} as Record<DemoUserKey, string>;
  for (const spec of userSpecs) users[spec.key] = (await ensureUser(identity, spec)).id;
  await ensureAccounts(ledger, counterAccounts(users.counter));

  const residents = {} as DemoTown["residents"];
  const cards = {} as DemoTown["cards"];
  for (const spec of residentSpecs) {
    const resident = await ensureResident(identity, spec, spec.user === null ? null : users[spec.user]);
    residents[spec.key] = resident.id;
    await ensureAccounts(ledger, residentAccounts(resident.id));
    if (spec.pin !== null && (spec.key === "hanako" || spec.key === "ume")) {
      const card = await ensureCard(identity, resident.id, spec.pin);
      cards[spec.key] = { id: card.id, number: card.number, pin: spec.pin };
    }
  }
  assert(cards.hanako !== undefined && cards.ume !== undefined, "the demo's two cards exist");

  const shops = {} as DemoTown["shops"];
  for (const spec of shopSpecs) {
    const shop = await ensureShop(identity, spec);
    shops[spec.key] = shop.id;
    await ensureAccounts(ledger, shopAccounts(shop.id));
    // Owners first: a shop keeps at least one owner, and staff are added after.
    for (const person of spec.people) {
      if ((await identity.shopRoleOf(shop.id, users[person.user])) !== person.role) must(await identity.setShopStaff(shop.id, users[person.user], person.role, seedActor), `staff of ${spec.code}`);
    }
  }

  const grantor = residents[proxySpec.grantor];
  if ((await identity.findActiveProxy(grantor, users[proxySpec.user])) === null) {
    must(
      await identity.grantProxy({ grantorResidentId: grantor, proxyUserId: users[proxySpec.user], dailyLimitYen: proxySpec.dailyLimitYen, canViewHistory: proxySpec.canViewHistory }, seedActor),
      "proxy",
    );
  }

  const device = await ensureDevice(identity);
  const town: DemoTown = { logins: demoLogins(cards), users, residents, shops, cards, device };
  for (const step of options.steps ?? []) await step(town, deps);
  return town;
}

function demoLogins(cards: DemoTown["cards"]): DemoLogin[] {
  return [
    ...userSpecs.map((s) => ({ role: s.shownRole, login: s.login, password: demoPassword, note: s.note })),
    { role: "card" as const, login: cards.hanako.number, password: cards.hanako.pin, note: "野々市 花子 のカード (番号・PIN) / Hanako's card (number, PIN)" },
    { role: "card" as const, login: cards.ume.number, password: cards.ume.pin, note: "押野 ウメ のカード: スマホなし / Ume's card: no smartphone" },
  ];
}

/** The table printed at start: Japanese first, English second. Demo credentials only. */
export function formatDemoTown(town: DemoTown): string {
  const line = "=".repeat(100);
  const pad = (text: string, width: number) => text + " ".repeat(Math.max(1, width - [...text].length));
  const rows = town.logins.map((l) => `  ${pad(l.role, 16)}${pad(l.role === "card" ? formatCardNumber(l.login) : l.login, 22)}${pad(l.password, 16)}${l.note}`);
  const d = town.device;
  const terminal =
    d.pairingCode !== null
      ? `  端末ペアリングコード Terminal pairing code: ${d.pairingCode}  (${d.name}; 10分有効 valid 10 min until ${d.pairingExpiresAt?.toISOString() ?? "?"})`
      : d.status === "active"
        ? `  端末 Terminal: ${d.name} はペアリング済み / is paired`
        : `  端末 Terminal: ${d.name} — 新しいコードは POST /v1/admin/devices/${d.id}/pairing-code / new code: POST /v1/admin/devices/${d.id}/pairing-code`;
  return [
    line,
    "  デモの町「野々市」のログイン  Demo town logins — デモ専用 DEMO ONLY: never use these passwords anywhere real",
    "",
    `  ${pad("役割 Role", 16)}${pad("ログインID Login", 22)}${pad("パスワード/PIN", 16)}説明 Note`,
    ...rows,
    "",
    terminal,
    `  口座 Accounts: ${accountIdOf.residentCoins("{rid}")}, ${accountIdOf.shop("{sid}")}, ${accountIdOf.cashIn("{uid}")}, ${cityAccounts.map((a) => a.id).join(", ")}`,
    line,
  ].join("\n");
}
