// The terminal's state outside the screens: its device key (paired once), the configuration it downloaded last
// (fares, issuer keys, deny list, routes), the durable tap store, the decision at the door and the sync loop.
// Everything the door needs is local, so a tap is decided and recorded with no network at all.
import { generateDeviceKeyPair, signDeviceRequest } from "@tsubaki/auth";
import {
  createTapStore,
  decideTap,
  newOutboxRecord,
  rememberTap,
  seenFromRecords,
  syncOnce,
  type FareTable,
  type OutboxRecord,
  type OutboxStatus,
  type SeenState,
  type SyncRequest,
  type SyncResponse,
  type TapDecision,
  type TapStore,
} from "@tsubaki/ride";
import { createStore, type Store } from "@tsubaki/ui";

const deviceKey = "tsubaki.bus.device";
const configKey = "tsubaki.bus.config";
/** Sync rounds never wait longer than this between tries while taps are queued (the outbox's own backoff decides within it). */
const syncTickMs = 2_000;

export interface DeviceIdentity {
  deviceId: string;
  terminalId: string;
  secretKey: string;
  pairedAt: number;
}

export interface TerminalConfigCache {
  fetchedAt: number;
  fareTable: FareTable;
  issuerKeys: { kid: number; publicKey: string }[];
  deny: string[];
  denyNext: number;
  denyUpdatedAt: number;
  routes: { id: string; nameJa: string; nameEn: string; stops: string[] }[];
}

export interface TerminalStatus {
  device: DeviceIdentity | null;
  config: TerminalConfigCache | null;
  counts: Record<OutboxStatus, number>;
  tapsToday: number;
  lastSyncAt: number | null;
  lastSyncError: string | null;
  routeId: string | null;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function readJson<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

const nowS = () => Math.floor(Date.now() / 1000);

/** The start of today's service day (03:00 JST) in unix ms. */
function serviceDayStartMs(ms: number): number {
  const offset = 6 * 3600_000;
  return Math.floor((ms + offset) / 86_400_000) * 86_400_000 - offset;
}

export class Terminal {
  readonly status: Store<TerminalStatus>;
  private store: TapStore | null = null;
  private seen: SeenState = seenFromRecords([]);
  private issuerKeys = new Map<number, Uint8Array>();
  private denySet = new Set<string>();
  private syncing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    const config = readJson<TerminalConfigCache>(configKey);
    this.status = createStore<TerminalStatus>({
      device: readJson<DeviceIdentity>(deviceKey),
      config,
      counts: { pending: 0, sending: 0, acked: 0, rejected: 0, exported: 0 },
      tapsToday: 0,
      lastSyncAt: null,
      lastSyncError: null,
      routeId: config?.routes[0]?.id ?? null,
    });
    if (config) this.applyConfig(config);
  }

  /** Opens the tap store, puts back what a crash left `sending`, and rebuilds what the door remembers. */
  async start(): Promise<void> {
    this.store = await createTapStore(indexedDB);
    await this.store.recoverInterrupted(Date.now());
    this.seen = seenFromRecords((await this.store.listAll()).map((r) => r.payload));
    await this.refreshCounts();
    this.schedule(0);
    globalThis.addEventListener?.("online", () => this.schedule(0));
  }

  private applyConfig(config: TerminalConfigCache): void {
    this.issuerKeys = new Map(config.issuerKeys.map((k) => [k.kid, hexBytes(k.publicKey)]));
    this.denySet = new Set(config.deny);
  }

  private patch(change: Partial<TerminalStatus>): void {
    this.status.set({ ...this.status.get(), ...change });
  }

  private async refreshCounts(): Promise<void> {
    if (!this.store) return;
    const all = await this.store.listAll();
    const dayStart = serviceDayStartMs(Date.now());
    this.patch({ counts: await this.store.countByStatus(), tapsToday: all.filter((r) => r.createdAt >= dayStart).length });
  }

  private async signedFetch(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<Response> {
    const device = this.status.get().device;
    if (!device) throw new Error("not paired");
    const text = body === undefined ? null : JSON.stringify(body);
    const headers = signDeviceRequest({ deviceId: device.deviceId, secretKey: device.secretKey, method, pathAndQuery, body: text, now: new Date() });
    return fetch(pathAndQuery, { method, headers: { ...headers, ...(text ? { "Content-Type": "application/json" } : {}) }, ...(text ? { body: text } : {}) });
  }

  /** Pairing: the key is made here and never leaves; the server learns the public half with the one-time code. */
  async pair(pairingCode: string): Promise<{ ok: true } | { ok: false; code: string }> {
    const keys = generateDeviceKeyPair();
    let response: Response;
    try {
      response = await fetch("/v1/devices/pair", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pairing_code: pairingCode.trim(), public_key: keys.publicKey }) });
    } catch {
      return { ok: false, code: "network_error" };
    }
    const json = (await response.json().catch(() => null)) as { device?: { id: string }; code?: string } | null;
    if (!response.ok || !json?.device) return { ok: false, code: json?.code ?? "internal_error" };
    const device: DeviceIdentity = { deviceId: json.device.id, terminalId: json.device.id.replace(/^d_/, ""), secretKey: keys.secretKey, pairedAt: Date.now() };
    localStorage.setItem(deviceKey, JSON.stringify(device));
    this.patch({ device });
    await this.downloadConfig();
    return { ok: true };
  }

  /** Fares, issuer keys, routes, and the deny list from where this terminal left off. */
  async downloadConfig(): Promise<boolean> {
    const previous = this.status.get().config;
    let response: Response;
    try {
      response = await this.signedFetch("GET", `/v1/bus/terminal/config?deny_since=${previous?.denyNext ?? 0}`);
    } catch {
      return false;
    }
    if (!response.ok) return false;
    const body = (await response.json()) as {
      server_time: number;
      fare_table: FareTable;
      issuer_keys: { kid: number; public_key: string }[];
      deny: { next: number; entries: { allowance_id: string }[] };
      routes: TerminalConfigCache["routes"];
    };
    const deny = new Set(previous?.deny ?? []);
    for (const e of body.deny.entries) deny.add(e.allowance_id);
    const config: TerminalConfigCache = {
      fetchedAt: nowS(),
      fareTable: body.fare_table,
      issuerKeys: body.issuer_keys.map((k) => ({ kid: k.kid, publicKey: k.public_key })),
      deny: [...deny],
      denyNext: body.deny.next,
      denyUpdatedAt: nowS(),
      routes: body.routes,
    };
    localStorage.setItem(configKey, JSON.stringify(config));
    this.applyConfig(config);
    this.patch({ config, routeId: this.status.get().routeId ?? config.routes[0]?.id ?? null });
    return true;
  }

  setRoute(routeId: string): void {
    this.patch({ routeId });
  }

  /**
   * The door: decide offline; on green the tap is written with strict durability BEFORE this resolves, so the
   * green screen is never shown for a tap that a power cut could lose.
   */
  async tap(code: string): Promise<TapDecision> {
    const { device, config } = this.status.get();
    if (!device || !config || !this.store) throw new Error("BUG: the door opens only when paired and configured");
    const now = nowS();
    const decision = decideTap({
      code,
      now,
      issuerKeys: this.issuerKeys,
      denyList: { entries: this.denySet, updatedAt: config.denyUpdatedAt },
      seen: this.seen,
      fareTable: config.fareTable,
      terminal: { terminalId: device.terminalId, nextLocalSeq: await this.store.nextLocalSeq() },
    });
    if (!decision.ok) return decision;
    const put = await this.store.put(newOutboxRecord(decision.record, Date.now()));
    if (!put.ok) throw new Error(`BUG: tap ${decision.record.tapId} stored twice`);
    rememberTap(this.seen, decision.record);
    void this.refreshCounts();
    this.schedule(0);
    return decision;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.syncRound(), delayMs);
  }

  /** One sync round when online; then again soon while anything is queued. */
  private async syncRound(): Promise<void> {
    this.timer = undefined;
    if (this.syncing || !this.store || !this.status.get().device) return;
    this.syncing = true;
    try {
      if (navigator.onLine) {
        const send = async (request: SyncRequest): Promise<SyncResponse> => {
          const response = await this.signedFetch("POST", "/v1/bus/taps:sync", { ...request, routeId: this.status.get().routeId });
          if (!response.ok) throw new Error(`sync answered ${response.status}`);
          return (await response.json()) as SyncResponse;
        };
        const round = await syncOnce({ store: this.store, send, terminalId: this.status.get().device!.terminalId, now: () => Date.now(), random: Math.random });
        if (round.sent > 0) this.patch(round.failed === round.sent ? { lastSyncError: "failed" } : { lastSyncAt: Date.now(), lastSyncError: null });
        if (round.acked + round.rejected > 0 || !this.status.get().config || nowS() - (this.status.get().config?.fetchedAt ?? 0) > 300) await this.downloadConfig();
      }
      await this.refreshCounts();
    } catch (error) {
      this.patch({ lastSyncError: error instanceof Error ? error.message : String(error) });
    } finally {
      this.syncing = false;
      this.schedule(syncTickMs);
    }
  }

  /** Every record as a JSON file, the last resort when the terminal cannot sync for days. */
  async exportFile(): Promise<Blob> {
    if (!this.store) throw new Error("BUG: export before start");
    const json = await this.store.exportAll(Date.now());
    await this.refreshCounts();
    return new Blob([json], { type: "application/json" });
  }

  async records(): Promise<OutboxRecord[]> {
    return this.store ? this.store.listAll() : [];
  }
}
