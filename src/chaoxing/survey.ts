import { CARD_TABS, type ChaoxingClient } from "./client";
import { ChaoxingError } from "./errors";
import type { Chapter, CourseRef, Job, MediaJob } from "./types";

/**
 * What is left of a course, chapter by chapter, read before a task starts so its forecast (and the create
 * dialog) can say how long each chapter takes. It reads as the engine does (src/engine/step.ts `readCards`,
 * src/engine/tabs.ts), so it counts the items the engine will study: the chapter tree; the chapter page
 * once (a course whose page carries the face masks is skipped); per chapter not done yet its tab bar, then
 * each card it lists (tabs 0..6 probed where there is no tab bar); a live replay's length (`liveinfo`).
 * One page per call, paced like every request of the account; locked and closed chapters cannot be read
 * and are estimated later.
 */

export interface SurveyMedia {
  jobid: string;
  name: string;
  /** Media still to play (s): from the resume point to the end of the played part; null: length unknown. */
  seconds: number | null;
  /** The player allows fast playback here (chaoxing-protocol.md "Corrections of 2026-12" item 1); never for a live replay. */
  fast: boolean;
}

export interface SurveyChapter {
  id: string;
  title: string;
  /** The tree's count of open task points (0 for a locked chapter: hidden). */
  jobCount: number;
  finished: boolean;
  locked: boolean;
  /** Its cards were read: what follows is real, not an estimate. */
  read: boolean;
  /** Cards pages read (the engine reads as many, and again once it has worked), the tab bar's included. */
  tabs: number;
  /** Media task points not passed yet, live replays included (watched at real pace). */
  media: SurveyMedia[];
  /** Documents and reads not passed yet (one call each). */
  documents: number;
  /** Quizzes, lives not started and unsupported task points: left for the user. */
  others: number;
}

export interface CourseSurvey {
  chapters: SurveyChapter[];
  /** A face-capture course (its cards answer with the capture): the engine skips it. */
  face: boolean;
}

/** Media still to play: the played part is the clip, else the whole media (`attDuration`, its full length). */
export function mediaLeft(j: MediaJob): number | null {
  const length = Number(j.attDuration);
  const [from, to] = j.clip ?? [0, length];
  if (!(to > 0)) return null;
  return Math.max(0, to - Math.max(from, Math.floor(j.playTimeMs / 1000)));
}

const isMedia = (j: Job): j is MediaJob => j.type === "video" || j.type === "audio";

async function readChapter(client: ChaoxingClient, course: CourseRef, ch: Chapter): Promise<SurveyChapter> {
  const out: SurveyChapter = { ...ch, read: true, tabs: 1, media: [], documents: 0, others: 0 };
  const seen = new Set<string>();
  const required: Job[] = [];
  // The cards the tab bar lists, however many; without a tab bar, tabs 0..6 until one has no mArg.
  const list = await client.getTabs(course, ch.id);
  for (let k = 0; list ? k < list.length : k < CARD_TABS; k++) {
    const tab = await client.getCardsTab(course, ch.id, list ? list[k]! : k);
    out.tabs++;
    let found = 0;
    for (const j of tab.jobs) {
      if (seen.has(`${j.type}:${j.jobid}`)) continue;
      seen.add(`${j.type}:${j.jobid}`);
      found++;
      if (j.required) required.push(j);
    }
    if (!list && (tab.defaults === null || !(found > 0 || required.length < ch.jobCount))) break;
  }
  for (const j of required) {
    if (j.isPassed) continue;
    if (isMedia(j) && j.mid !== null) out.media.push({ jobid: j.jobid, name: j.name, seconds: mediaLeft(j), fast: j.fastPlayback });
    else if (j.type === "live" && !j.notStarted) {
      const { duration } = await client.getLiveInfo(course, ch.id, j);
      if (duration > 0) out.media.push({ jobid: j.jobid, name: j.name, seconds: duration, fast: false });
      else out.others++;
    } else if (j.type === "document" || j.type === "read") out.documents++;
    else out.others++;
  }
  return out;
}

/** Reads what is left of a course (one page per chapter tab not done yet). */
export async function surveyCourse(client: ChaoxingClient, course: CourseRef): Promise<CourseSurvey> {
  const { chapters, enc } = await client.getChapters(course);
  const out: CourseSurvey = { chapters: [], face: false };
  let pageChecked = enc === null;
  for (const ch of chapters) {
    const unread: SurveyChapter = { ...ch, read: false, tabs: 0, media: [], documents: 0, others: 0 };
    if (ch.finished || ch.locked || out.face) {
      out.chapters.push(unread);
      continue;
    }
    try {
      // Once per course, as the engine does before its first cards: the chapter page's face masks.
      if (!pageChecked) {
        pageChecked = true;
        await client.checkStudyPage(course, ch.id, enc!);
      }
      out.chapters.push(await readChapter(client, course, ch));
    } catch (e) {
      // A closed chapter is estimated; a face course is skipped by the engine, so it is not read further.
      if (!(e instanceof ChaoxingError && (e.kind === "not_open" || e.kind === "face_check"))) throw e;
      out.face ||= e.kind === "face_check";
      out.chapters.push(unread);
    }
  }
  return out;
}
