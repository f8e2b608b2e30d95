// Shared setup for the identity store tests: one database per backend per file, a settable clock, fast scrypt.
import type { AuditActor } from "../src/identity-store";

export const fastScrypt = { N: 2 ** 10, r: 8, p: 1 };
export const admin: AuditActor = { actor: "u_admin", actorRoles: ["admin_operator"], requestId: "req-admin" };

export class Clock {
  constructor(public current = new Date("2026-04-01T00:00:00Z")) {}
  now = () => this.current;
  advance(seconds: number): Date {
    this.current = new Date(this.current.getTime() + seconds * 1000);
    return this.current;
  }
}
