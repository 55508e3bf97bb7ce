/**
 * One user's account object's side of the limits: the user's settings (one small row, only once edited),
 * today's usage (src/limits/usage-book.ts), and the gate every automated call passes first.
 */
import type { Config } from "../config";
import type { Op } from "../durable/account-ops";
import { shanghaiDay } from "../lib/clock";
import { limitWait, parseWindow, resumesAt, type LimitReason, type LimitRules, type LimitWait, type MediaUsage, type StudyLimits } from "./study-limits";
import { UsageBook, type UsageRecord } from "./usage-book";
import { LIMITS_RECORD } from "../durable/binding-records";
import { getVersioned } from "../lib/versioned";

const LIMITS_KEY = "limits";

/** The stored settings (version 2: with `breakAfterMinutes`; the earlier release's are adopted by src/durable/account-legacy.ts). */
export interface LimitsRecord extends StudyLimits {
  v: 2;
}

/** The operator's defaults (`LIMIT_*` vars), used until the user edits their limits. */
export function defaultLimits(cfg: Config): StudyLimits {
  return {
    ...parseWindow(cfg.LIMIT_STUDY_WINDOW),
    dailyCapMinutes: cfg.LIMIT_DAILY_CAP_MINUTES,
    videoGapSeconds: cfg.LIMIT_VIDEO_GAP_SECONDS,
    videoGapJitterSeconds: cfg.LIMIT_VIDEO_GAP_JITTER_SECONDS,
    breakAfterMinutes: cfg.LIMIT_BREAK_AFTER_MINUTES,
  };
}

/** What users cannot change: the break's length, and how far they may raise the cap and the stretch. */
export function limitRules(cfg: Config): LimitRules {
  return {
    breakMinMinutes: cfg.LIMIT_BREAK_MINUTES.min,
    breakMaxMinutes: cfg.LIMIT_BREAK_MINUTES.max,
    dailyCapMaxMinutes: cfg.LIMIT_DAILY_CAP_MAX_MINUTES,
    breakAfterMaxMinutes: cfg.LIMIT_BREAK_AFTER_MINUTES,
  };
}

/** Settings kept within what the operator allows now (a maximum lowered later applies to earlier settings too). */
export const withinRules = (l: StudyLimits, rules: LimitRules): StudyLimits => ({
  ...l,
  dailyCapMinutes: Math.min(l.dailyCapMinutes, rules.dailyCapMaxMinutes),
  breakAfterMinutes: Math.min(l.breakAfterMinutes, rules.breakAfterMaxMinutes),
});

/** A live replay as the media usage names it (its `liveId`; a replay has no objectId). */
const liveObject = (liveId: string): string => `live:${liveId}`;

/**
 * What an accepted call played, for today's media count and the stretch before a break: a progress
 * report's position, and a live replay's minutes (its `liveinfo` starts it at 0, each `saveTimePc` moves
 * it a minute), counted like a video.
 */
function mediaPlayed(op: Op): { jobid: string; objectId: string; playingTime: number } | null {
  switch (op.op) {
    case "report":
      return { jobid: op.params.job.jobid, objectId: op.params.job.objectId, playingTime: op.params.playingTime };
    case "liveInfo":
      return { jobid: op.job.jobid, objectId: liveObject(op.job.liveId), playingTime: 0 };
    case "liveTime":
      return { jobid: op.job.jobid, objectId: liveObject(op.job.liveId), playingTime: op.position };
    default:
      return null;
  }
}
export interface LimitsView {
  limits: StudyLimits;
  rules: LimitRules;
  customized: boolean;
  day: string;
  mediaSeconds: number;
  status: "open" | LimitReason;
  resumesAt: number | null;
}

/** Today's figure as every reply carries it to the task (the task page shows it beside the settings page's). */
export interface UsageNote {
  day: string;
  mediaSeconds: number;
  capMinutes: number;
}

export class AccountLimits {
  readonly usage: UsageBook;

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly defaults: StudyLimits,
    readonly rules: LimitRules,
  ) {
    this.usage = new UsageBook(kv);
  }

  current(): StudyLimits {
    const stored = getVersioned(this.kv, LIMITS_KEY, LIMITS_RECORD);
    if (!stored) return this.defaults;
    const { v: _v, ...limits } = stored;
    return withinRules(limits, this.rules);
  }

  /** What only this object holds (the user's own limits, today's media count), for the admin export. */
  stored(): { limits: LimitsRecord | null; usage: UsageRecord | null } {
    return { limits: getVersioned(this.kv, LIMITS_KEY, LIMITS_RECORD) ?? null, usage: this.usage.stored() };
  }

  set(limits: StudyLimits): void {
    this.kv.put(LIMITS_KEY, { v: 2, ...withinRules(limits, this.rules) } satisfies LimitsRecord);
  }

  private today(now: number): MediaUsage {
    return this.usage.current(now, this.current());
  }

  note(now: number): UsageNote {
    const u = this.today(now);
    return { day: shanghaiDay(now), mediaSeconds: u.day === shanghaiDay(now) ? u.seconds : 0, capMinutes: this.current().dailyCapMinutes };
  }

  view(now: number): LimitsView {
    const limits = this.current();
    const r = resumesAt(limits, this.today(now), now);
    const { day, mediaSeconds } = this.note(now);
    return { limits, rules: this.rules, customized: getVersioned(this.kv, LIMITS_KEY, LIMITS_RECORD) !== undefined, day, mediaSeconds, status: r.status, resumesAt: r.at };
  }

  /** Before an automated call: the window, then (media calls, live replays' too) the daily cap, a break, and the gap between videos. */
  gate(op: Op, now: number, random: number): LimitWait | null {
    const media = op.op === "status" || op.op === "report" || op.op === "liveInfo" || op.op === "liveTime";
    const objectId = op.op === "status" ? op.objectId : op.op === "liveInfo" ? liveObject(op.job.liveId) : undefined;
    return limitWait(this.current(), this.today(now), { media, objectId }, now, random);
  }

  /**
   * After an accepted progress report (or a live replay's liveinfo or minute): today's media time, the
   * stretch (and a break), the next video's earliest start.
   */
  recordReport(op: Op, now: number): void {
    const played = mediaPlayed(op);
    if (!played) return;
    this.usage.record(this.current(), this.rules, played, now, Math.random);
  }
}
