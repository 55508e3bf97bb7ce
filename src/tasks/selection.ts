import type { OutlineChapter } from "../shared/forecast";

/** What a task chose of one class: its chapters (null: all) and a deadline. The engine keeps it (`choices`). */
export interface CourseChoice {
  courseId: string;
  clazzId: string;
  chapters: string[] | null;
  deadline: number | null;
}

/** A chapter as the task's forecast counts it before the engine reads it: the survey's figures, or an estimate. */
export type PlannedChapter = OutlineChapter & { estimated?: true };

/**
 * What a task chose of one of its classes (chapters, a deadline), and what the course survey
 * (src/chaoxing/survey.ts) said of it when the task was created: the forecast's figures for chapters the
 * engine has not read yet. Kept in the task's row (`selection`), written once at creation.
 */
export interface CourseSelection extends CourseChoice {
  /** null: no survey was at hand when the task was created. */
  outline: PlannedChapter[] | null;
}

/** The engine's part of it (no figures). */
export const choiceOf = ({ outline: _outline, ...choice }: CourseSelection): CourseChoice => choice;
