// The claim reads timestamp(3) columns as epoch milliseconds through date_part (double precision), not extract
// (numeric): exact for whole milliseconds, on both backends, from before 1970 to the last year PostgreSQL takes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/client";
import { epochMsText } from "../src/payments-store";
import { backends, openBackend } from "./backends";

describe.each(backends)("epoch milliseconds on %s", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openBackend(backend));
  });
  afterAll(async () => close?.());

  it("equals extract's exact value for whole milliseconds", async () => {
    const times = ["1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.001Z", "2026-12-06T03:16:54.123Z", "2026-12-06T14:59:59.999Z", "2099-03-01T00:00:00.500Z", "9999-12-31T23:59:59.999Z"];
    // Random whole milliseconds between 1900 and 2200, seeded.
    let seed = 20261206;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      times.push(new Date(-2_208_988_800_000 + Math.floor((seed / 2 ** 31) * 9_467_280_000_000)).toISOString());
    }
    const rows = await db.query<{ t: string; fast: string; exact: string }>(
      `SELECT t::text, ${epochMsText("x.t")} AS fast, floor(extract(epoch FROM x.t) * 1000)::bigint::text AS exact
       FROM (SELECT unnest($1::text::timestamptz(3)[]) AS t) x`,
      [`{${times.join(",")}}`],
    );
    expect(rows).toHaveLength(times.length);
    for (const [i, row] of rows.entries()) {
      expect(row.fast, row.t).toBe(row.exact);
      expect(Number(row.fast)).toBe(Date.parse(times[i]!));
    }
  });
});
