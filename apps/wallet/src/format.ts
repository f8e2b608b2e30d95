// Dates and times as a resident reads them, in the screen's language (Asia/Tokyo: the town's clock).
import type { Lang } from "@tsubaki/ui";

const zone = "Asia/Tokyo";

export function formatDate(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleDateString(lang === "ja" ? "ja-JP" : "en-GB", { timeZone: zone, year: "numeric", month: "short", day: "numeric" });
}

export function formatTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === "ja" ? "ja-JP" : "en-GB", { timeZone: zone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
