/**
 * A request's choice of classes (POST /api/tasks, POST /api/tasks/forecast): which classes, chapters and
 * deadlines, checked against the user's course list and the courses' surveys.
 */
import type { CourseSurvey } from "../chaoxing/survey";
import type { Course } from "../chaoxing/types";
import type { Credentials } from "../durable/account";
import type { Reply } from "../durable/account-ops";
import { resolveClasses } from "../engine/classes";
import type { CourseChoice } from "./selection";
import { ApiError } from "../lib/errors";
import { accountStub, valueOf } from "../services/cx-account";
import type { TaskClass, TaskClassChoice } from "./shape";

/** A request's choice of classes (POST /api/tasks, POST /api/tasks/forecast). */
export interface ChoiceBody {
  course_ids?: string[];
  classes?: TaskClassChoice[];
}

/** A class the task will study, as the course list has it, with what was chosen of it. */
export interface Chosen {
  course: Course;
  choice: CourseChoice;
  /** Its entry in the request's `classes` (for error fields); null: from `course_ids`. */
  entry: number | null;
}

/** What a request resolves to: the task's courses, the classes it names, and each class it studies. */
export interface Resolution {
  courseIds: string[];
  classes: TaskClass[];
  chosen: Chosen[];
}

/** `YYYY-MM-DD` is the end of that Asia/Shanghai day; otherwise an ISO 8601 date-time with its offset. */
export const deadlineMs = (s: string): number => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T23:59:59+08:00`) : Date.parse(s));

const invalid = (field: string, message: string, detail: string) =>
  new ApiError("validation_error", detail, { errors: [{ field, message, code: "invalid_value" }] });

/**
 * The classes a request names, as the engine will study them (src/engine/classes.ts: a course named by id
 * is each of its classes not ended; a class named is studied even if ended, and only it of its course),
 * each with its chapters (null: all) and deadline (by default the class's end date from the course list).
 * Unknown courses and classes are a 400 naming the field.
 */
export function resolveChoices(body: ChoiceBody, list: Course[]): Resolution {
  const unknown = (body.course_ids ?? []).filter((id) => !list.some((c) => c.courseId === id));
  if (unknown.length) throw invalid("course_ids", `未知课程: ${unknown.join(", ")}`, `超星账号中没有这些课程: ${unknown.join(", ")}`);
  const named = (body.classes ?? []).map((k, i) => ({ k, i })).filter(({ k }, j, all) => all.findIndex((o) => o.k.course_id === k.course_id && o.k.clazz_id === k.clazz_id) === j);
  const strange = named.filter(({ k }) => !list.some((c) => c.courseId === k.course_id && c.clazzId === k.clazz_id));
  if (strange.length) {
    const names = strange.map(({ k }) => `${k.course_id}/${k.clazz_id}`).join(", ");
    throw invalid("classes", `未知班级: ${names}`, `超星账号中没有这些班级: ${names}`);
  }
  const classes = named.map(({ k }) => ({ course_id: k.course_id, clazz_id: k.clazz_id }));
  // The task's courses: those named, and those of the classes named.
  const courseIds = [...new Set([...(body.course_ids ?? []), ...classes.map((k) => k.course_id)])];
  const { entries } = resolveClasses(courseIds, classes.map((k) => ({ courseId: k.course_id, clazzId: k.clazz_id })), list);
  const chosen = entries.map((e): Chosen => {
    const course = list.find((c) => c.courseId === e.courseId && c.clazzId === e.clazzId)!;
    const n = named.find(({ k }) => k.course_id === e.courseId && k.clazz_id === e.clazzId);
    const d = n?.k.deadline;
    const deadline = d === undefined ? (course.endDate ? deadlineMs(course.endDate) : null) : d === null ? null : deadlineMs(d);
    const chapters = n?.k.chapters ? [...new Set(n.k.chapters)] : null;
    return { course, choice: { courseId: e.courseId, clazzId: e.clazzId, chapters, deadline }, entry: n?.i ?? null };
  });
  return { courseIds, classes, chosen };
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
    if (strange.length) throw invalid(`classes.${entry ?? k}.chapters`, `未知章节: ${strange.join(", ")}`, `该课程没有这些章节: ${strange.join(", ")}`);
  });
}
