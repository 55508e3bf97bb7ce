import { clock } from "../lib/clock";
import type { TaskLive } from "../shared/live";
import type { Job } from "../chaoxing/types";
import { ITEM_MARKS } from "../shared/live";
import type { EngineState, StoredJob } from "./state";

/** Default media length assumed for a job not seen yet, until real durations are known. */
const DEFAULT_MEDIA_S = 300;
/** A non-media job weighs as much as this many seconds of media. */
const OTHER_JOB_S = 30;
/** Fixed overhead per remaining job (status, cards, confirm calls), for the ETA. */
const JOB_OVERHEAD_S = 5;

export type Progress = Pick<
  TaskLive,
  "progress" | "current_item" | "item_progress" | "item_current_time" | "item_total_time" | "completed_courses" | "total_courses" | "eta_seconds"
>;

export function itemLabel(job: Job): string {
  const mark = job.type === "video" ? ITEM_MARKS.video
    : job.type === "audio" ? ITEM_MARKS.audio
    : job.type === "document" ? ITEM_MARKS.document
    : job.type === "read" ? ITEM_MARKS.read
    : ITEM_MARKS.quiz;
  return `${mark} ${job.name}`;
}

const averageMedia = (s: EngineState): number => (s.stats.mediaSeen ? s.stats.mediaSeenSeconds / s.stats.mediaSeen : DEFAULT_MEDIA_S);

/** A job's weight in media seconds: its own duration once known, else the average seen so far. */
function jobWeight(j: StoredJob, avgMedia: number): number {
  if (j.type !== "video" && j.type !== "audio") return OTHER_JOB_S;
  return j.seconds ?? avgMedia;
}

/** The weight of the chapter being worked (its read jobs): recorded on the chapter when it is done. */
export function currentChapterWeight(s: EngineState): number {
  const avg = averageMedia(s);
  return s.jobs.filter((j) => j.required).reduce((w, j) => w + jobWeight(j, avg), 0);
}

/**
 * Overall progress weighted by media duration: each job weighs its media seconds (known durations, else
 * the average seen so far), other jobs a fixed weight; chapters not read yet are estimated from their job
 * counts, chapters done keep the weight they had. Courses count equally. Never below what was shown
 * before (`progressFloor`); 100 only once completed (the caller sets it).
 */
export function computeProgress(s: EngineState, now = clock.now()): Progress {
  const total = s.courses.length || s.courseIds.length;
  const completed = s.courses.filter((c) => c.status !== "todo").length;
  const avgMedia = averageMedia(s);
  const estimate = (jobs: number) => Math.max(jobs, 0) * ((avgMedia + OTHER_JOB_S) / 2);

  let done = 0;
  let remaining = 0;
  let remainingJobs = 0;
  const inCourse = s.phase !== "resolve" && s.phase !== "done" && s.ci < s.courses.length && s.chapters.length > 0;
  if (inCourse) {
    s.chapters.forEach((ch, i) => {
      if (i === s.hi) return;
      if (i < s.hi || ch.finished) done += ch.weight ?? estimate(ch.jobCount);
      else {
        remaining += estimate(ch.jobCount);
        remainingJobs += ch.jobCount;
      }
    });
    // While its tabs are being read, the chapter counts by its estimate; then by its jobs.
    if (s.phase === "cards") remaining += estimate(s.chapters[s.hi]?.jobCount ?? 0);
    else s.jobs.forEach((j, i) => {
      if (!j.required) return;
      const w = jobWeight(j, avgMedia);
      const isCurrent = s.media !== null && s.media.jobid === j.jobid;
      if (j.isPassed || i < s.ji) done += w;
      else if (isCurrent) {
        done += Math.min(w, s.media!.playingTime);
        remaining += Math.max(0, w - s.media!.playingTime);
        remainingJobs++;
      } else {
        remaining += w;
        remainingJobs++;
      }
    });
  }
  const courseFraction = done + remaining > 0 ? done / (done + remaining) : 0;
  const overall = total ? (completed + (inCourse ? courseFraction : 0)) / total : 0;
  const coursesAfter = Math.max(0, total - completed - (inCourse ? 1 : 0));
  // Courses not opened yet are assumed to be like the current one.
  const perCourse = done + remaining > 0 ? done + remaining : avgMedia * 10;
  const etaMediaS = remaining + coursesAfter * perCourse;
  const eta = s.phase === "done" ? 0 : Math.round(etaMediaS / s.speed + remainingJobs * JOB_OVERHEAD_S);

  const job = s.phase === "job" ? s.jobs[s.ji] : undefined;
  const m = s.media;
  // Between reports the player keeps playing: show where it is now (reports carry only what passed).
  const playing = m && m.stage === "play" && m.lastReportAt !== null
    ? Math.min(m.duration, m.playingTime + ((now - m.lastReportAt) / 1000) * s.speed)
    : (m?.playingTime ?? 0);
  return {
    // `?? 0`: checkpoints written before the floor existed.
    progress: Math.max(s.progressFloor ?? 0, Math.min(99, Math.floor(overall * 100))),
    current_item: job ? itemLabel(job) : null,
    item_progress: m && m.duration ? Math.min(100, Math.floor((playing / m.duration) * 100)) : 0,
    item_current_time: Math.floor(playing),
    item_total_time: m ? m.duration : 0,
    completed_courses: completed,
    total_courses: total,
    eta_seconds: s.phase === "resolve" ? null : eta,
  };
}
