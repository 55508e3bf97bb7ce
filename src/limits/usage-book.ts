/**
 * Today's media count and the current stretch of one user's account, kept so an eviction can never make
 * it count less than was played, at a fraction of a storage row per progress report (docs/benchmarks.md:
 * "≤ 1.2 Durable Object rows per progress report").
 *
 * It is counted in memory on every accepted report. A write stores the counts with *bounds*: how far they
 * may grow before the next write (RESERVE_S of media, RESERVE_MS of the stretch), and the first report
 * past a bound writes again. A cold load takes the bounds, so after an eviction the account counts at most
 * a reserve more than it played, never less. Near the cap there is no reserve: every report is written,
 * exact, so the cap stops within one report of where it should. After a cold load every report is written
 * for a while (an object that lost its memory once may lose it again: local workerd evicts within seconds
 * of idling), and such records are taken as they are; the first report after that writes once more, so a
 * stored record never claims to be the latest when it is not (as the task checkpoint does, src/durable/task.ts).
 */
import { USAGE_RECORD } from "../durable/binding-records";
import { shanghaiDay } from "../lib/clock";
import { getVersioned } from "../lib/versioned";
import { emptyUsage, recordReport, type LimitRules, type MediaUsage, type StudyLimits } from "./study-limits";

const KEY = "usage";
/** Media seconds a write may run ahead of the count; also how close to the cap every report is written. */
export const RESERVE_S = 20 * 60;
/** Real ms the stretch may run ahead of its written value (more counted only brings a break sooner). */
const RESERVE_MS = 30 * 60_000;
/** After a cold load, every report is written for this long. */
const EVERY_REPORT_AFTER_COLD_MS = 15 * 60_000;

/** The stored record (version 2; what the earlier release stored in `acct:<phone>` is adopted by src/durable/account-legacy.ts). */
export interface UsageRecord extends MediaUsage {
  v: 2;
  /** What a cold load takes for `seconds` and `streakMs` unless the record is the latest. */
  boundSeconds: number;
  boundStreakMs: number;
  /** Written at the latest report (every report was being written): a cold load takes it as it is. */
  latest: boolean;
}

export class UsageBook {
  private counted: MediaUsage | null = null;
  private written: UsageRecord | null = null;
  private everyReportUntil = 0;

  constructor(private readonly kv: SyncKvStorage) {}

  /** Today's usage: as counted in memory, or (first, after a cold load) what the stored record allows. */
  current(now: number, l: StudyLimits): MediaUsage {
    return (this.counted ??= this.load(now, l));
  }

  private load(now: number, l: StudyLimits): MediaUsage {
    const r = getVersioned(this.kv, KEY, USAGE_RECORD) ?? null;
    this.written = r;
    if (!r) return emptyUsage(shanghaiDay(now));
    this.everyReportUntil = now + EVERY_REPORT_AFTER_COLD_MS;
    const { v: _v, boundSeconds, boundStreakMs, latest, ...usage } = r;
    if (latest) return usage;
    // Since the write, at most the bounds were played, in one stretch (a new stretch or a break is written),
    // so its last report came at most the stretch's reserve after the last one written; the next video
    // waits the longest gap from there. The job and position stay those written: the next report counts
    // everything played since the write again, on top of the reserve. Every error here counts more.
    const lastMediaAt = usage.lastMediaAt === null ? null : usage.lastMediaAt + (boundStreakMs - usage.streakMs);
    const longestGap = (l.videoGapSeconds + l.videoGapJitterSeconds) * 1000;
    return {
      ...usage,
      seconds: boundSeconds,
      streakMs: boundStreakMs,
      lastMediaAt,
      nextVideoAt: lastMediaAt === null ? usage.nextVideoAt : Math.max(usage.nextVideoAt, lastMediaAt + longestGap),
    };
  }

  /** Counts one accepted report; writes a row only when a bound is passed, near the cap, or after a cold load. */
  record(l: StudyLimits, rules: LimitRules, report: { jobid: string; objectId: string; playingTime: number }, now: number, random: () => number): MediaUsage {
    const before = this.current(now, l);
    const u = recordReport(l, rules, before, report, now, random);
    this.counted = u;
    const w = this.written;
    const everyReport = now < this.everyReportUntil;
    const nearCap = u.seconds + RESERVE_S >= l.dailyCapMinutes * 60;
    const exact = everyReport || nearCap;
    const newStretch = u.lastMediaAt === now && u.streakMs === 0;
    const due =
      !w || w.latest || exact || w.day !== u.day || u.seconds > w.boundSeconds || u.streakMs > w.boundStreakMs || newStretch || u.breakUntil !== before.breakUntil;
    if (due) this.write({ ...u, v: 2, boundSeconds: exact ? u.seconds : u.seconds + RESERVE_S, boundStreakMs: exact ? u.streakMs : u.streakMs + RESERVE_MS, latest: exact });
    return u;
  }

  /** The stored record, for the admin export (null: nothing counted yet). */
  stored(): UsageRecord | null {
    return getVersioned(this.kv, KEY, USAGE_RECORD) ?? null;
  }

  /** An earlier release's count, adopted once (src/durable/account-legacy.ts): written exact. */
  adopt(u: MediaUsage): void {
    this.counted = u;
    this.write({ ...u, v: 2, boundSeconds: u.seconds, boundStreakMs: u.streakMs, latest: false });
  }

  private write(r: UsageRecord): void {
    this.kv.put(KEY, r);
    this.written = r;
  }
}
