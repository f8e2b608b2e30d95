// A seeded property test of the whole offline path: riders tap phones and a card at three terminals that do
// not talk to each other, screenshots are shown again, a cloned device reuses a counter, holds are voided, and
// terminals sync random slices of their outboxes, losing answers and resending, in any interleaving. Whatever
// happens, every tap id is settled exactly once, no hold is captured beyond its amount, every yen of every
// settled ride is either captured or recorded as debt, and no accepted tap is lost.
//
//   FUZZ_SEED=123 pnpm vitest run test/property.test.ts     replays the run that printed seed 123
//   FUZZ_RUNS=1000 ...                                       more runs
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  decideTap,
  emptySeen,
  groupByAllowance,
  newAllowanceState,
  planSync,
  rememberTap,
  verifySyncedTap,
  voidRemaining,
  type AllowanceState,
  type SeenState,
  type TapRecord,
  type TapSettlement,
} from "../src/index";
import { cardPass, door, fareTable, issuerKeys, phoneCode, phonePass, T0, type PhonePass } from "./helpers";

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) | 0 : (Math.random() * 2 ** 31) | 0;
const numRuns = Number(process.env.FUZZ_RUNS ?? 200);
const TERMINALS = ["bus-1", "bus-2", "bus-3"] as const;

type Command =
  | { type: "ride"; rider: number; terminal: number; advance: number }
  | { type: "screenshot"; rider: number; terminal: number; advance: number }
  | { type: "clone"; rider: number; terminal: number; advance: number }
  | { type: "sync"; terminal: number; take: number; loseAnswer: boolean }
  | { type: "void"; rider: number };

const riderIndex = fc.integer({ min: 0, max: 4 });
const terminalIndex = fc.integer({ min: 0, max: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant("ride" as const), rider: riderIndex, terminal: terminalIndex, advance: fc.integer({ min: 0, max: 1200 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("screenshot" as const), rider: riderIndex, terminal: terminalIndex, advance: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("clone" as const), rider: riderIndex, terminal: terminalIndex, advance: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("sync" as const), terminal: terminalIndex, take: fc.integer({ min: 1, max: 8 }), loseAnswer: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("void" as const), rider: riderIndex }) },
);

interface Terminal {
  id: string;
  seen: SeenState;
  nextLocalSeq: number;
  /** Accepted and not yet answered by the server, oldest first. */
  unacked: TapRecord[];
}

class World {
  now = T0;
  readonly phones: PhonePass[] = [
    phonePass(),
    phonePass({ maxTotalYen: 300, maxTaps: 5 }),
    phonePass({ fareClass: "child", maxTotalYen: 250 }),
    phonePass({ fareClass: "preschool", maxTaps: 4 }),
  ];
  readonly card = cardPass();
  readonly holdYen = new Map<string, number>();
  readonly counters = this.phones.map(() => 0);
  readonly lastShown: (string | null)[] = this.phones.map(() => null);
  readonly terminals: Terminal[] = TERMINALS.map((id) => ({ id, seen: emptySeen(), nextLocalSeq: 1, unacked: [] }));
  readonly server = new Map<string, AllowanceState>();
  /** Every tap id any terminal accepted, with its record. */
  readonly accepted = new Map<string, TapRecord[]>();
  readonly settledCount = new Map<string, number>();
  readonly captureIds = new Set<string>();
  readonly capturedYen = new Map<string, number>();

  constructor() {
    for (const p of [...this.phones, this.card]) {
      const id = p.cert.allowanceId;
      this.holdYen.set(id, p.cert.maxTotalYen);
      this.server.set(id, newAllowanceState(id, `hold-${id}`, p.cert.maxTotalYen));
      this.capturedYen.set(id, 0);
    }
  }

  private present(terminal: Terminal, code: string): void {
    const d = decideTap(
      door(code, {
        now: this.now,
        seen: terminal.seen,
        denyList: { entries: new Set([...this.server.values()].filter((s) => s.denied).map((s) => s.allowanceId)), updatedAt: this.now },
        terminal: { terminalId: terminal.id, nextLocalSeq: terminal.nextLocalSeq },
      }),
    );
    if (!d.ok) return;
    terminal.unacked.push(d.record);
    rememberTap(terminal.seen, d.record);
    terminal.nextLocalSeq++;
    this.accepted.set(d.record.tapId, [...(this.accepted.get(d.record.tapId) ?? []), d.record]);
  }

  run(c: Command): void {
    switch (c.type) {
      case "ride":
      case "screenshot":
      case "clone": {
        this.now += c.advance;
        const terminal = this.terminals[c.terminal]!;
        if (c.rider === 4) return this.present(terminal, this.card.code);
        const pass = this.phones[c.rider]!;
        if (c.type === "ride") this.counters[c.rider]!++;
        else if (c.type === "screenshot") {
          const shown = this.lastShown[c.rider];
          if (shown) this.present(terminal, shown);
          return;
        }
        const code = phoneCode(pass, Math.max(1, this.counters[c.rider]!), this.now);
        if (c.type === "ride") this.lastShown[c.rider] = code;
        return this.present(terminal, code);
      }
      case "sync":
        return this.sync(this.terminals[c.terminal]!, c.take, c.loseAnswer);
      case "void": {
        const id = c.rider === 4 ? this.card.cert.allowanceId : this.phones[c.rider]!.cert.allowanceId;
        this.server.set(id, voidRemaining(this.server.get(id)!).allowance);
        return;
      }
    }
  }

  /** POST /v1/bus/taps:sync for the first `take` unacked taps of a terminal. */
  sync(terminal: Terminal, take: number, loseAnswer: boolean): void {
    const batch = terminal.unacked.slice(0, take);
    const answers = new Map<string, TapSettlement>();
    const verified = batch.map((r) => {
      const v = verifySyncedTap(r, issuerKeys, terminal.id);
      if (!v.ok) throw new Error(`an honest terminal's tap failed verification: ${v.code} ${v.detail}`);
      return v.tap;
    });
    for (const [allowanceId, taps] of groupByAllowance(verified)) {
      const plan = planSync({ taps, allowance: this.server.get(allowanceId)!, fareTable });
      this.server.set(allowanceId, plan.allowance);
      for (const cap of plan.captures) {
        if (this.captureIds.has(cap.id)) throw new Error(`capture ${cap.id} planned twice`);
        this.captureIds.add(cap.id);
        this.capturedYen.set(allowanceId, this.capturedYen.get(allowanceId)! + cap.amountYen);
      }
      for (const r of plan.results) {
        if (r.result === "captured" || r.result === "debt") this.settledCount.set(r.tapId, (this.settledCount.get(r.tapId) ?? 0) + 1);
        answers.set(r.tapId, r);
      }
      // The batch's answers for one tap id must agree with the settled outcome.
      for (const r of plan.results) if (r.original) expect(plan.allowance.seen.get(r.tapId)).toEqual(r.original);
    }
    if (loseAnswer) return; // the terminal resends later
    terminal.unacked = terminal.unacked.filter((r) => !batch.includes(r));
  }

  check(): void {
    for (const [tapId, n] of this.settledCount) expect(n, `${tapId} settled ${n} times`).toBe(1);
    for (const [id, state] of this.server) {
      const captured = this.capturedYen.get(id)!;
      expect(captured, `captured on ${id}`).toBeLessThanOrEqual(this.holdYen.get(id)!);
      const settled = [...state.seen.values()];
      expect(captured + state.debtYen).toBe(settled.reduce((sum, s) => sum + s.captureYen + s.debtYen, 0));
      expect(state.remainingYen).toBeGreaterThanOrEqual(0);
    }
  }

  /** Everyone comes back online and syncs everything: nothing accepted may be missing at the server. */
  drain(): void {
    for (const t of this.terminals) while (t.unacked.length > 0) this.sync(t, 8, false);
    for (const tapId of this.accepted.keys()) {
      const allowanceId = this.accepted.get(tapId)![0]!.allowanceId;
      expect(this.server.get(allowanceId)!.seen.has(tapId), `${tapId} reached the server`).toBe(true);
      expect(this.settledCount.get(tapId)).toBe(1);
    }
  }
}

test("random interleavings across 3 terminals settle each tap id exactly once and never capture beyond the hold", () => {
  console.log(`ride property test: FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns}`);
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 50 }), (commands) => {
      const world = new World();
      for (const c of commands) {
        world.run(c);
        world.check();
      }
      world.drain();
      world.check();
    }),
    { seed, numRuns },
  );
});
