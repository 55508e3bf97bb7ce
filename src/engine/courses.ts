import { coursePageUrl } from "../chaoxing/urls";
import { studyOrder } from "../shared/forecast";
import { because, call, courseKey, fail, leave, log, next, refOf } from "./book";
import { resolveClasses } from "./classes";
import { courseWeights } from "./progress";
import type { Book, Ctx, Kit, Outcome, Why } from "./types";

/** The courses of a task: found, then each one closed (done or skipped) in turn, and the task's end. */

/** Phase "resolve": the account's course list, and the classes the task names in it. */
export async function resolveCourses(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const r = await call(ctx, { op: "courses" });
  if (!r.ok) return kit.onFailure(ctx, r, (e) => fail("fail.courses", { error: e.message }));
  // Each class of a course named by id (ended ones passed over), and each class the task names, with the
  // chapters and deadline the task chose of it.
  const { entries, missing, allEnded, endedSkipped } = resolveClasses(s.courseIds, s.classes ?? [], r.value);
  for (const id of missing) {
    if (!s.left.some((l) => l.kind === "course" && l.course === id)) {
      s.left.push({ course: id, chapter: "", item: "", kind: "course", ...because("left.course_missing"), url: null });
    }
    log(ctx, "WARNING", "course.missing", { course_id: id });
  }
  for (const c of allEnded) {
    if (!s.left.some((l) => l.kind === "course" && l.course === c.courseName)) {
      s.left.push({ course: c.courseName, chapter: "", item: "", kind: "course", ...because("left.class_ended", { clazz: c.clazzName }), url: coursePageUrl(ctx.io.urls, c) });
    }
    log(ctx, "WARNING", "course.class_ended", { course: c.courseName, clazz: c.clazzName });
  }
  for (const c of endedSkipped) log(ctx, "INFO", "course.class_ended_skipped", { course: c.courseName, clazz: c.clazzName });
  for (const e of entries) {
    const choice = s.choices?.find((x) => x.courseId === e.courseId && x.clazzId === e.clazzId);
    s.courses.push({ ...e, chapters: choice?.chapters ?? null, deadline: choice?.deadline ?? null });
  }
  if (s.courses.length === 0) return allEnded.length ? finishAll(ctx) : fail("fail.no_courses");
  // The course whose deadline is nearest first (src/shared/forecast.ts counts them in the same order).
  s.courses = studyOrder(s.courses);
  log(ctx, "INFO", "courses.found", { n: s.courses.length, names: s.courses.map((c) => c.name).join(", ") });
  s.phase = "chapters";
  s.ci = 0;
  return next();
}

/** Closes the current course with the weights it ends with (only passed task points count). */
export function advanceCourse(ctx: Book, status: "done" | "skipped"): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const w = courseWeights(s);
  course.status = status;
  course.done = w.done;
  course.total = w.total;
  const leftHere = s.left.filter((l) => l.ref && courseKey(l.ref) === courseKey(course)).length;
  if (status === "done") {
    if (leftHere) log(ctx, "INFO", "course.done_left", { course: course.name, left: leftHere });
    else log(ctx, "INFO", "course.done", { course: course.name });
  }
  s.ci++;
  s.chapters = [];
  s.hi = 0;
  s.jobs = [];
  s.ji = 0;
  // A course left in the middle of a video (a face capture seen on a report) does not carry it along.
  s.media = null;
  s.live = null;
  s.notopen = { attempts: {}, returnTo: null, skipping: false };
  if (s.ci >= s.courses.length) return finishAll(ctx);
  s.phase = "chapters";
  return next();
}

export function finishAll(ctx: Book): Outcome {
  const { s } = ctx;
  s.phase = "done";
  s.recheck = null;
  const left = s.left.length;
  if (left) log(ctx, "INFO", "all.done_left", { jobs: s.stats.jobsDone, left });
  else log(ctx, "INFO", "all.done", { jobs: s.stats.jobsDone });
  return { kind: "complete" };
}

/** Skips the rest of the current course, listed for the user with a link to the course. */
export function skipCourse(ctx: Book, ...why: Why): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const w = courseWeights(s);
  leave(ctx, {
    chapter: "", item: "", kind: "course", ...because(...why), url: coursePageUrl(ctx.io.urls, course),
    ref: refOf(course, Math.max(0, w.total - w.done)),
  });
  log(ctx, "WARNING", "course.skipped", { course: course.name, reason: why[0], ...why[1] });
  return advanceCourse(ctx, "skipped");
}
