/**
 * A forecast in words (src/shared/forecast.ts; the server's `forecast` fields): dates in Asia/Shanghai
 * wall time whatever the reader's device says, as every time in this app.
 */
import { shanghaiParts } from "@shared/forecast";
import type { Translate } from "../i18n";

const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** "12 月 19 日" / "19 Dec", with "14:30" after it when asked. */
export function dateText(iso: string, t: Translate, withTime = false): string {
  const p = shanghaiParts(Date.parse(iso));
  const date = t("fc.date", { month: p.month, day: p.day, mon: MON[p.month - 1]! });
  return withTime ? t("fc.dateTime", { date, time: `${pad(p.hour)}:${pad(p.minute)}` }) : date;
}

/** "MM-DD HH:mm" in Shanghai wall time (when a wait ends). */
export function shortTime(iso: string): string {
  const p = shanghaiParts(Date.parse(iso));
  return `${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

export const daysText = (n: number, t: Translate): string => (n === 1 ? t("fc.day") : t("fc.days", { n }));

export interface ForecastFields {
  finish_at: string | null;
  study_days: number;
  basis: { window_start: string; window_end: string; daily_cap_minutes: number; other_tasks: number };
}

/** "按你的时段 08:00–23:00、每天上限 360 分钟" (and the other tasks it shares the account with). */
export function basisText(f: ForecastFields, t: Translate): string {
  const basis = t("fc.basis", { start: f.basis.window_start, end: f.basis.window_end, cap: f.basis.daily_cap_minutes });
  return f.basis.other_tasks ? `${basis}${t("fc.others", { n: f.basis.other_tasks })}` : basis;
}

/** "按你的时段 08:00–23:00、每天上限 360 分钟：预计 12 月 19 日完成，需 9 个学习日". */
export function forecastSentence(f: ForecastFields, t: Translate): string {
  const when = f.finish_at ? t("fc.when", { date: dateText(f.finish_at, t), days: daysText(f.study_days, t) }) : t("fc.never");
  return t("fc.sentence", { basis: basisText(f, t), when });
}
