import type { EngineState } from "./state";
import { call, next } from "./book";
import type { Ctx, Kit, Outcome } from "./types";

/**
 * Before a chapter's cards are read (chaoxing-protocol.md, "Corrections of 2026-12"): once per course,
 * the chapter page a browser opens (`mycourse/studentstudy`), whose face masks say the course captures
 * (item 2: a face course is left before a single report); then, per chapter, its tab bar
 * (`studentstudyAjax`, item 10), so that only the cards it lists are fetched, however many (a blind probe
 * of tabs 0..6 misses an eighth). One call per step, like every phase.
 *
 * Returns the step's outcome when it made a call, or null when the cards can be read.
 */
export async function beforeCards(ctx: Ctx, kit: Kit): Promise<Outcome | null> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  if (!course.pageChecked && course.enc) {
    const r = await call(ctx, { op: "studyPage", course, chapterId: chapter.id, enc: course.enc });
    const checked = (): Outcome => {
      course.pageChecked = true;
      return next();
    };
    // Masks (`face_check`) leave the course; an odd page says nothing about masks: the cards' flags still decide.
    return r.ok ? checked() : kit.onFailure(ctx, r, checked);
  }
  if (s.tabList === undefined) {
    // A checkpoint of an older release in the middle of probing tabs goes on probing.
    if (s.tab > 0) {
      s.tabList = null;
      return null;
    }
    const r = await call(ctx, { op: "tabs", course, chapterId: chapter.id });
    if (r.ok) {
      s.tabList = r.value;
      return next();
    }
    // An odd answer: no tab bar to be had, so the tabs are probed as before.
    return kit.onFailure(ctx, r, () => {
      s.tabList = null;
      return next();
    });
  }
  return null;
}

/** The `num` of the next card to read: the tab bar's, or the next tab when probing; null when the tab bar lists no card. */
export const cardNum = (s: EngineState): number | null => (s.tabList ? (s.tabList[s.tab] ?? null) : s.tab);
