import type { CardDefaults, Job, MediaJob } from "./types";

/**
 * The cards page assigns `mArg` twice: first to a non-object (a string), then to the real object. Take the
 * last assignment whose value is an object literal, cut it out by brace matching (string-aware, so `};`
 * inside a string does not end it) and parse it as JSON.
 */
export function extractMArg(page: string): Record<string, unknown> | null {
  const re = /mArg\s*=\s*\{/g;
  let lastStart = -1;
  for (let m = re.exec(page); m; m = re.exec(page)) lastStart = m.index + m[0].length - 1;
  if (lastStart < 0) return null;
  const end = matchBrace(page, lastStart);
  if (end < 0) return null;
  try {
    const value: unknown = JSON.parse(page.slice(lastStart, end + 1));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** Index of the `}` closing the `{` at `start`, or -1. */
function matchBrace(s: string, start: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return -1;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const truthy = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "true";
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

const num = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** The capture flags of `defaults` (2026-12 item 2; `playAginCapture` as the player spells it). */
const CAPTURE_FLAGS = ["playingCapture", "startCapture", "playingLoopCapture", "chapterCapture", "endCapture", "playAginCapture"] as const;

export function parseDefaults(marg: Record<string, unknown>): CardDefaults | null {
  const d = marg.defaults;
  if (!isRecord(d)) return null;
  const interval = Number(d.reportTimeInterval);
  return {
    reportTimeInterval: Number.isFinite(interval) && interval > 0 ? interval : 60,
    cpi: str(d.cpi),
    ktoken: str(d.ktoken),
    fid: str(d.fid),
    userid: str(d.userid),
    clazzId: str(d.clazzId),
    courseid: str(d.courseid),
    knowledgeid: str(d.knowledgeid),
    // Any capture flag at 1, not only the player's four-flag gate: the captured real mArg has
    // `playingCapture:1, startCapture:1, playingLoopCapture:1, chapterCapture:0` and no `isSupportFace`,
    // and its course captures all the same (2026-12 item 2). There is no `isFaceCheck`.
    capture: CAPTURE_FLAGS.filter((k) => num(d[k]) === 1),
    reportUrl: str(d.reportUrl) || null,
    schoolDoubleSpeed: num(d.schooldoublespeed),
  };
}

/**
 * The player's fast-playback rule (2026-12 item 1): `schooldoublespeed` absent or 2 → the video's own
 * `doublespeed` (0 forbids); 0 → forbidden for every video; 1 → allowed, over a video's `doublespeed: 0`.
 */
export function fastPlaybackAllowed(schoolDoubleSpeed: number | null, doublespeed: number | null): boolean {
  if (schoolDoubleSpeed === null || schoolDoubleSpeed === 2) return doublespeed !== 0;
  return schoolDoubleSpeed === 1;
}

/** What makes a tab a face course: its capture flags at 1, and each video's `randomCaptureTime` > 0. */
export function captureSignals(defaults: CardDefaults | null, jobs: Job[]): string[] {
  const videos = jobs.filter((j): j is MediaJob => (j.type === "video" || j.type === "audio") && j.randomCaptureTime > 0);
  return [...(defaults?.capture ?? []).map((k) => `${k}=1`), ...videos.map((j) => `randomCaptureTime=${j.randomCaptureTime}`)];
}

/**
 * Type the attachments of one tab; unknown shapes become `other` so nothing is silently dropped. Media jobs
 * take what they need of the tab's defaults (report base, the school's fast-playback switch) with them.
 */
export function parseAttachments(marg: Record<string, unknown>, defaults: CardDefaults | null = parseDefaults(marg)): Job[] {
  const list = Array.isArray(marg.attachments) ? marg.attachments : [];
  const jobs: Job[] = [];
  for (const raw of list) {
    if (!isRecord(raw)) continue;
    const prop = rec(raw.property);
    const type = str(raw.type).toLowerCase();
    const common = {
      jobid: str(raw.jobid) || str(prop.jobid),
      name: str(prop.name) || str(prop.title),
      isPassed: truthy(raw.isPassed),
      // Read cards come without `job` (or with `job: false`) but are task points all the same.
      required: type === "read" ? true : truthy(raw.job),
      // The page appends `&courseId=…`; the report sends courseId on its own.
      otherInfo: str(raw.otherInfo).split("&")[0]!,
    };
    const isLive = type.includes("live") || prop.liveId !== undefined || prop.streamName !== undefined;
    if (isLive) {
      jobs.push({
        ...common,
        type: "live",
        // The captured card has `job: true`; a live card is a task point.
        required: raw.job === undefined ? true : truthy(raw.job),
        liveId: str(prop.liveId),
        streamName: str(prop.streamName),
        vdoid: str(prop.vdoid),
        liveJobid: str(prop._jobid) || common.jobid,
        notStarted: str(prop.liveStatus) === "未开始",
      });
    } else if (type === "video") {
      const begins = num(raw.begins);
      const ends = num(raw.ends);
      jobs.push({
        ...common,
        type: str(prop.module).toLowerCase().includes("audio") ? "audio" : "video",
        objectId: str(raw.objectId) || str(prop.objectid),
        mid: "mid" in raw && str(raw.mid) !== "" ? str(raw.mid) : null,
        playTimeMs: Number(raw.playTime) || 0,
        rt: str(prop.rt) || null,
        attDuration: str(raw.attDuration),
        attDurationEnc: str(raw.attDurationEnc),
        videoFaceCaptureEnc: str(raw.videoFaceCaptureEnc),
        clip: begins !== null && ends !== null && ends > begins ? [begins, ends] : null,
        fastPlayback: fastPlaybackAllowed(defaults?.schoolDoubleSpeed ?? null, num(prop.doublespeed)),
        reportUrl: defaults?.reportUrl ?? null,
        randomCaptureTime: num(raw.randomCaptureTime) ?? 0,
      });
    } else if (type === "document") {
      jobs.push({ ...common, type: "document", objectId: str(prop.objectid) || str(raw.objectId), jtoken: str(raw.jtoken) });
    } else if (type === "read") {
      jobs.push({ ...common, type: "read", isPassed: common.isPassed || truthy(prop.read), jtoken: str(raw.jtoken) });
    } else if (type === "workid") {
      jobs.push({ ...common, type: "quiz", workId: str(prop.workid) });
    } else {
      jobs.push({ ...common, type: "other", rawType: type });
    }
  }
  return jobs;
}

/** rt candidates for a media job: `property.rt`, else `-rt_d` → 0.9 / `-rt_1` → 1 in otherInfo, else try both. */
export function rtCandidates(job: { rt: string | null; otherInfo: string }): string[] {
  if (job.rt) return [job.rt];
  const m = /-rt_([1d])(?:-|$)/.exec(job.otherInfo);
  if (m) return [m[1] === "d" ? "0.9" : "1"];
  return ["0.9", "1"];
}
