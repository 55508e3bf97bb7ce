import dayjs from "dayjs";
import type { Translate } from "../i18n";

/** `mm:ss` (or `h:mm:ss` past an hour), as the seed's item progress shows it. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function eta(seconds: number | null, t: Translate): string {
  if (seconds === null || seconds < 0) return t("detail.none");
  if (seconds < 60) return t("detail.lessMinute");
  const m = Math.round(seconds / 60);
  return m < 60 ? t("detail.minutes", { m }) : t("detail.hours", { h: Math.floor(m / 60), m: m % 60 });
}

/** Local date-time for an ISO string from the API (UTC with Z). */
export function when(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format("YYYY-MM-DD HH:mm:ss") : "—";
}

export function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  a.click();
  URL.revokeObjectURL(url);
}
