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

/**
 * A percentage for people: one decimal under 10 % (a 20-hour course moves by tenths long before it
 * moves by ones), whole numbers above; rounded down so nothing shows 100 before it is.
 */
export function pct(p: number): string {
  const v = Math.max(0, Math.min(100, p));
  return v < 10 ? (Math.floor(v * 10) / 10).toFixed(v === 0 ? 0 : 1) : String(Math.floor(v));
}

/**
 * antd Progress `format` for `pct`: at 100 % antd's own check mark stays (its green text would miss the
 * 4.5:1 contrast the light theme keeps).
 */
export const pctFormat = (p: number) => (p >= 100 ? undefined : () => `${pct(p)}%`);

/** "约 59 分钟", "12 秒", "约 2 小时 5 分钟": never a raw count of seconds. */
export function duration(seconds: number, t: Translate): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("time.seconds", { s });
  const m = Math.round(s / 60);
  return m < 60 ? t("time.minutes", { m }) : t("time.hours", { h: Math.floor(m / 60), m: m % 60 });
}

/** Local date-time for an ISO string from the API (UTC with Z). */
export function when(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format("YYYY-MM-DD HH:mm:ss") : "—";
}

export function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  // Some mobile browsers read the blob after click() returns: revoke a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `HH:mm` today, or `MM-DD HH:mm` on another day, in the browser's time (for "resume after …"). */
export function whenTime(ms: number): string {
  const d = dayjs(ms);
  return d.isSame(dayjs(), "day") ? d.format("HH:mm") : d.format("MM-DD HH:mm");
}
