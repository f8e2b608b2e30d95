// Bundled into the page by bench/bus.ts: the terminal's door exactly as apps/bus-terminal runs it — decideTap
// on the scanned text, then the strict-durability IndexedDB write, then rememberTap — timed per tap.
import { createTapStore, decideTap, defaultFareTable, newOutboxRecord, rememberTap, seenFromRecords } from "@tsubaki/ride";

/** The page's IndexedDB (this file runs in Chromium; the bench's tsconfig has no DOM library). */
declare const indexedDB: Parameters<typeof createTapStore>[0];

function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

async function run(codes: string[], issuerKeys: [number, string][], terminalId: string): Promise<number[]> {
  const store = await createTapStore(indexedDB, { name: `bench-${Date.now()}` });
  const seen = seenFromRecords([]);
  const keys = new Map(issuerKeys.map(([kid, hex]) => [kid, unhex(hex)]));
  const fareTable = defaultFareTable("notty");
  const durations: number[] = [];
  for (const code of codes) {
    const started = performance.now();
    const now = Math.floor(Date.now() / 1000);
    const decision = decideTap({ code, now, issuerKeys: keys, denyList: { entries: new Set(), updatedAt: now }, seen, fareTable, terminal: { terminalId, nextLocalSeq: await store.nextLocalSeq() } });
    if (!decision.ok) throw new Error(`refused: ${decision.code} ${"detail" in decision ? decision.detail : ""}`);
    const put = await store.put(newOutboxRecord(decision.record, Date.now()));
    if (!put.ok) throw new Error(put.code);
    rememberTap(seen, decision.record);
    durations.push(performance.now() - started);
  }
  store.close();
  return durations;
}

(globalThis as unknown as { busDoorBench: typeof run }).busDoorBench = run;
