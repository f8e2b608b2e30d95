// Daily limits count the resident's calendar day in Nonoichi, not the server's: a Worker runs in UTC, where a
// payment at 08:30 JST and one at 23:30 JST on the same date fall on different days; here they share one day.
// Japan Standard Time is UTC+9 all year (no daylight saving), so the arithmetic is exact without a time zone table.

export const tokyoUtcOffsetMs = 9 * 3600 * 1000;
export const dayMs = 24 * 3600 * 1000;

/** 00:00 JST of the Tokyo calendar day containing `now`, as an instant (15:00 UTC of the day before). */
export function tokyoDayStart(now: Date): Date {
  const t = now.getTime();
  return new Date(Math.floor((t + tokyoUtcOffsetMs) / dayMs) * dayMs - tokyoUtcOffsetMs);
}

/** 00:00 JST of the next Tokyo day: the instant a daily limit resets. */
export function tokyoNextDayStart(now: Date): Date {
  return new Date(tokyoDayStart(now).getTime() + dayMs);
}

/** The Tokyo calendar date of `now` as YYYY-MM-DD (a key for daily totals and reports). */
export function tokyoDate(now: Date): string {
  return new Date(now.getTime() + tokyoUtcOffsetMs).toISOString().slice(0, 10);
}
