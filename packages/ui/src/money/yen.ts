// Yen on screen: an integer with a yen sign and thousands separators, the same in both languages ("¥1,234").
// Amounts are integer yen everywhere (DESIGN §3); a non-integer here is a bug upstream.

export function formatYen(amountYen: number): string {
  if (!Number.isSafeInteger(amountYen)) throw new Error(`BUG: formatYen: ${amountYen} is not a safe integer`);
  const sign = amountYen < 0 ? "-" : "";
  const digits = String(Math.abs(amountYen)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}¥${digits}`;
}
