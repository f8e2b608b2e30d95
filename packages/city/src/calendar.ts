// Legal dates (基準日, report deadlines), lot expiry and ages are Tokyo calendar dates, not instants. These helpers do
// calendar arithmetic on "YYYY-MM-DD" strings and convert to and from instants with the Tokyo day rule of
// @tsubaki/payments (JST is UTC+9 all year, so no time zone table is needed).
import { assert } from "@tsubaki/ledger";
import { dayMs, tokyoDate, tokyoUtcOffsetMs } from "@tsubaki/payments";

/** A Tokyo calendar date, "YYYY-MM-DD". */
export type CalendarDate = string;

export interface CalendarParts {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

/** Years outside this range are typing mistakes, not dates this system will meet. */
export const calendarYearMin = 1900;
export const calendarYearMax = 2200;

/** The parts of a valid calendar date, or null (wrong shape, month 13, 31 April, 29 February of a common year). */
export function parseCalendarDate(date: string): CalendarParts | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < calendarYearMin || year > calendarYearMax || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isCalendarDate(date: string): boolean {
  return parseCalendarDate(date) !== null;
}

export function formatCalendarDate({ year, month, day }: CalendarParts): CalendarDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  assert(Number.isInteger(month) && month >= 1 && month <= 12, `month ${month} is 1–12`);
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function partsOf(date: CalendarDate): CalendarParts {
  const parts = parseCalendarDate(date);
  assert(parts, `"${date}" is a calendar date YYYY-MM-DD`);
  return parts;
}

/** 00:00 JST of the date, as an instant (15:00 UTC of the day before). */
export function tokyoStartOfDate(date: CalendarDate): Date {
  const { year, month, day } = partsOf(date);
  return new Date(Date.UTC(year, month - 1, day) - tokyoUtcOffsetMs);
}

/** The date `days` days after (or before, when negative) `date`. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  assert(Number.isInteger(days), "whole days");
  return tokyoDate(new Date(tokyoStartOfDate(date).getTime() + days * dayMs));
}

/**
 * The day a period of `months` calendar months that starts on `date` (counted inclusively, 初日算入) ends on, by the
 * rule of 民法第143条: the day before the corresponding date in the last month, or the last day of that month when
 * it has no corresponding date. From 2025-04-10, 6 months end on 2025-10-09; from 2025-08-31, on 2026-02-28.
 */
export function lastDayOfMonthsFrom(date: CalendarDate, months: number): CalendarDate {
  assert(Number.isInteger(months) && months >= 0, "a whole number of months");
  const { year, month, day } = partsOf(date);
  const index = year * 12 + (month - 1) + months;
  const target = { year: Math.floor(index / 12), month: (index % 12) + 1 };
  if (day > daysInMonth(target.year, target.month)) return formatCalendarDate({ ...target, day: daysInMonth(target.year, target.month) });
  return addDays(formatCalendarDate({ ...target, day }), -1);
}

/** Whole years from birthDate to date: the age on that date, growing on the birthday (29 Feb → 1 Mar in common years). */
export function yearsBetween(birthDate: CalendarDate, date: CalendarDate): number {
  const birth = partsOf(birthDate);
  const on = partsOf(date);
  const beforeBirthday = on.month < birth.month || (on.month === birth.month && on.day < birth.day);
  return on.year - birth.year - (beforeBirthday ? 1 : 0);
}
