/**
 * A request's choice of courses (POST /api/tasks, POST /api/tasks/forecast): which classes, chapters and
 * deadlines, checked against the user's course list and the courses' surveys.
 */
import type { CourseSurvey } from "../chaoxing/survey";
import type { Course } from "../chaoxing/types";
import type { Credentials } from "../durable/account";
import type { Reply } from "../durable/account-ops";
import type { CourseChoice } from "../engine/state";
import { ApiError } from "../lib/errors";
import { accountStub, valueOf } from "../services/cx-account";

/** One entry of a request's `courses` (POST /api/tasks, POST /api/tasks/forecast). */
export interface ChoiceInput {
  course_id: string;
  clazz_id?: string;
  chapters?: string[];
  /** undefined: the class's end date from the course list; null: none. */
  deadline?: string | null;
}

/** A class the task will study, as the course list has it, with what was chosen of it. */
export interface Chosen {
  course: Course;
  choice: CourseChoice;
  /** Its entry in the request's `courses` (for error fields); null: from `course_ids`. */
  entry: number | null;
}

/** `YYYY-MM-DD` is the end of that Asia/Shanghai day; otherwise an ISO 8601 date-time with its offset. */
export const deadlineMs = (s: string): number => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T23:59:59+08:00`) : Date.parse(s));

const invalid = (field: string, message: string, detail: string) =>
  new ApiError("validation_error", detail, { errors: [{ field, message, code: "invalid_value" }] });

/**
 * The classes a request names, as the engine will study them: each class of a course in `course_ids`, or
 * the class a `courses` entry names (else each of its course's), with its chapters (null: all) and its
 * deadline (by default the class's end date from the course list). An entry in `courses` wins over the
 * same course in `course_ids`. Unknown courses and classes are a 400 naming the field.
 */
export function resolveChoices(body: { course_ids?: string[]; courses?: ChoiceInput[] }, list: Course[]): Chosen[] {
  const unknown = (body.course_ids ?? []).filter((id) => !list.some((c) => c.courseId === id));
  if (unknown.length) throw invalid("course_ids", `未知课程: ${unknown.join(", ")}`, `超星账号中没有这些课程: ${unknown.join(", ")}`);
  const out: Chosen[] = [];
  const add = (course: Course, e: ChoiceInput | null, entry: number | null) => {
    if (out.some((x) => x.course.courseId === course.courseId && x.course.clazzId === course.clazzId)) return;
    const deadline = e?.deadline === undefined ? (course.endDate ? deadlineMs(course.endDate) : null) : e.deadline === null ? null : deadlineMs(e.deadline);
    out.push({ course, choice: { courseId: course.courseId, clazzId: course.clazzId, chapters: e?.chapters ? [...new Set(e.chapters)] : null, deadline }, entry });
  };
  (body.courses ?? []).forEach((e, i) => {
    const classes = list.filter((c) => c.courseId === e.course_id && (!e.clazz_id || c.clazzId === e.clazz_id));
    if (classes.length === 0) {
      const field = list.some((c) => c.courseId === e.course_id) ? `courses.${i}.clazz_id` : `courses.${i}.course_id`;
      throw invalid(field, "超星账号中没有该课程或班级", `超星账号中没有该课程或班级: ${e.course_id}${e.clazz_id ? `/${e.clazz_id}` : ""}`);
    }
    for (const c of classes) add(c, e, i);
  });
  for (const id of body.course_ids ?? []) for (const c of list.filter((x) => x.courseId === id)) add(c, null, null);
  return out;
}

/**
 * Each chosen class's survey: made (interactive, paced, cached by the account) or, with `cachedOnly`, only
 * one already made — except where chapters were named, which must be checked against it.
 */
export async function surveysOf(env: Env, creds: Credentials, chosen: Chosen[], cachedOnly: boolean): Promise<(CourseSurvey | null)[]> {
  const account = accountStub(env, creds);
  const out: (CourseSurvey | null)[] = [];
  // One course at a time: each is a page per chapter, paced on the account.
  for (const { course, choice } of chosen) {
    const cached = cachedOnly && !choice.chapters ? await account.surveyCached(creds, course) : null;
    const r = cachedOnly && !choice.chapters ? cached : await account.survey(creds, course);
    out.push(r ? valueOf<"survey">(r as Reply<"survey">) : null);
  }
  return out;
}

/** Named chapters must be chapters of their class. */
export function checkChapters(chosen: Chosen[], surveys: (CourseSurvey | null)[]): void {
  chosen.forEach(({ choice, entry }, k) => {
    const survey = surveys[k];
    if (!choice.chapters || !survey) return;
    const strange = choice.chapters.filter((id) => !survey.chapters.some((c) => c.id === id));
    if (strange.length) throw invalid(`courses.${entry ?? k}.chapters`, `未知章节: ${strange.join(", ")}`, `该课程没有这些章节: ${strange.join(", ")}`);
  });
}
