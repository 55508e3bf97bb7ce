/**
 * The account object's side of issue 14's limits: its stored settings and today's media usage (one small
 * row each, synchronous SQLite-backed KV), the gate every automated call passes first, and the rule
 * that one account's automated traffic leaves through one egress at a time.
 */
import type { Config } from "../config";
import type { Op } from "../durable/account-ops";
import { shanghaiDay } from "../lib/clock";
import {
  emptyUsage, limitWait, parseWindow, recordReport, resumesAt, type LimitWait, type MediaUsage, type StudyLimits,
} from "./study-limits";

const LIMITS_KEY = "limits";
const USAGE_KEY = "usage";
/** While the egress that carried the account's last automated call is this recent, another one waits. */
export const EGRESS_HOLD_MS = 5 * 60_000;
const EGRESS_POLL_MS = 60_000;
/** Issue 16: today's media count is written at most this often while a video plays (plus at its end and at a new day). */
const USAGE_EVERY_S = 60 * 60;

/** The operator's defaults (wrangler vars), used until someone edits this account's limits. */
export function defaultLimits(cfg: Config): StudyLimits {
  return {
    ...parseWindow(cfg.LIMIT_STUDY_WINDOW),
    dailyCapMinutes: cfg.LIMIT_DAILY_CAP_MINUTES,
    videoGapSeconds: cfg.LIMIT_VIDEO_GAP_SECONDS,
    videoGapJitterSeconds: cfg.LIMIT_VIDEO_GAP_JITTER_SECONDS,
  };
}

export interface LimitsView {
  limits: StudyLimits;
  customized: boolean;
  day: string;
  mediaSeconds: number;
  status: "open" | "outside_window" | "daily_cap";
  resumesAt: number | null;
}

export class AccountLimits {
  /** The egress (`direct` or `relay:<userId>`) and user of the last automated call, in memory like the pacing. */
  private egress: { key: string; userId: number; at: number } | null = null;
  /** Today's media usage as counted in memory, and as last written (null: not read yet). */
  private counted: MediaUsage | null = null;
  private written: MediaUsage | null = null;

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly defaults: StudyLimits,
  ) {}

  current(): StudyLimits {
    return this.kv.get<StudyLimits>(LIMITS_KEY) ?? this.defaults;
  }

  /** What only this object holds (the user's own limits, today's media count), for the admin export. */
  stored(): { limits: StudyLimits | null; usage: MediaUsage | null } {
    return { limits: this.kv.get<StudyLimits>(LIMITS_KEY) ?? null, usage: this.counted ?? this.kv.get<MediaUsage>(USAGE_KEY) ?? null };
  }

  set(limits: StudyLimits): void {
    this.kv.put(LIMITS_KEY, limits);
  }

  private usage(now: number): MediaUsage {
    if (!this.counted) this.counted = this.written = this.kv.get<MediaUsage>(USAGE_KEY) ?? null;
    return this.counted ?? emptyUsage(shanghaiDay(now));
  }

  view(now: number): LimitsView {
    const limits = this.current();
    const u = this.usage(now);
    const r = resumesAt(limits, u, now);
    const today = shanghaiDay(now);
    return {
      limits,
      customized: this.kv.get(LIMITS_KEY) !== undefined,
      day: today,
      mediaSeconds: u.day === today ? u.seconds : 0,
      status: r.status,
      resumesAt: r.at,
    };
  }

  /** Before an automated call: the window, then (media calls) the daily cap and the gap between videos. */
  gate(op: Op, now: number, random: number): LimitWait | null {
    const media = op.op === "status" || op.op === "report";
    return limitWait(this.current(), this.usage(now), { media, objectId: op.op === "status" ? op.objectId : undefined }, now, random);
  }

  /**
   * After an accepted progress report: today's media time and the next video's earliest start. Counted in
   * memory and written (a row) only at a new day, at a video's first end report (isdrag 4), and every
   * USAGE_EVERY_S of media: an eviction (rare while a video plays: the object is called every report)
   * forgets at most that much of the day's count, and a report is not a row.
   */
  recordReport(op: Op, now: number, random: number): void {
    if (op.op !== "report") return;
    const p = op.params;
    const u = recordReport(this.current(), this.usage(now), { jobid: p.job.jobid, objectId: p.job.objectId, playingTime: p.playingTime }, now, random);
    this.counted = u;
    const w = this.written;
    const ended = p.isdrag === 4 && !(w?.jobid === u.jobid && w.playingTime === u.playingTime);
    if (!w || w.day !== u.day || ended || u.seconds - w.seconds >= USAGE_EVERY_S) {
      this.kv.put(USAGE_KEY, u);
      this.written = u;
    }
  }

  /**
   * An account shared by two users: automated calls keep to the egress that carried the last one (one
   * address for the account), and another user's tasks wait until it has been quiet for EGRESS_HOLD_MS.
   * Each user's traffic still only ever leaves through that user's own egress; a user who switches
   * their own egress moves at once.
   */
  holdEgress(key: string, userId: number, now: number): LimitWait | null {
    const e = this.egress;
    if (e && e.key !== key && e.userId !== userId && now - e.at < EGRESS_HOLD_MS) {
      return { waitMs: Math.min(EGRESS_POLL_MS, EGRESS_HOLD_MS - (now - e.at)), reason: "waiting_for_account" };
    }
    this.egress = { key, userId, at: now };
    return null;
  }
}
