/** @module Timestamps and dates as the API renders them. */

/** ISO 8601 UTC with milliseconds: `2020-04-07T13:51:11.880Z`. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Today's date in UTC, `YYYY-MM-DD`. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in `YYYY-MM-DD` (no 2020-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_FORMAT.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Unix seconds of a date at 00:00 UTC. */
export function dateToUnixSeconds(value: string): number {
  return Date.parse(`${value}T00:00:00.000Z`) / 1000;
}

/** Unix seconds of an ISO timestamp. */
export function isoToUnixSeconds(value: string): number {
  return Math.floor(Date.parse(value) / 1000);
}
