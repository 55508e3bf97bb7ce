import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../types";
import { requireAuth } from "../auth/middleware";
import type { CourseSurvey } from "../chaoxing/survey";
import { clock } from "../../shared/clock";
import { accountStub, listUserCourses, savedCredentials, unsealed } from "../services/cx-account";
import { CALL_GAP_MS } from "../shared/pacing";
import { forecastFor, outlineOf, selectionWork, courseKey } from "../tasks/forecast-work";
import { checkChapters, resolveChoices, surveysOf } from "../tasks/choices";
import type { CourseSelection } from "../tasks/selection";
import { CourseForecastSchema, ForecastSchema, TaskClassChoiceSchema } from "../tasks/shape";
import { loadConfig } from "../users/config";
import { bearer, errors, json, jsonBody, Speed } from "./schemas";

const ForecastBody = z
  .object({
    course_ids: z.array(z.string().regex(/^\d{1,20}$/, "courseId 应为数字")).max(50).optional(),
    classes: z.array(TaskClassChoiceSchema).max(50).optional().openapi({ description: "与 POST /api/tasks 的 classes 相同（班级、章节、截止时间）" }),
    speed: Speed.optional().openapi({ description: "省略：你设置中的速度" }),
  })
  .refine((b) => (b.course_ids?.length ?? 0) + (b.classes?.length ?? 0) > 0, { message: "至少选择一门课程", path: ["course_ids"] })
  .openapi("TaskForecastRequest");

const ChapterSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    finished: z.boolean().openapi({ description: "超星显示已完成" }),
    jobs_left: z.number().int().openapi({ description: "未完成的任务点数（需解锁的章节不显示任务点数，为 0）" }),
    remaining_seconds: z.number().int().openapi({ description: "学完还需的时长（秒：剩余视频/音频时长加上调用间隔）" }),
    estimated: z.boolean().openapi({ description: "没能读到该章节（未开放、需先完成前面的章节），时长按任务点数估计" }),
    chosen: z.boolean(),
  })
  .openapi("ForecastChapter");

const PreviewCourseSchema = z
  .object({
    course_id: z.string(),
    clazz_id: z.string(),
    name: z.string(),
    end_date: z.string().nullable().openapi({ description: "课程列表上班级的结课日期（YYYY-MM-DD）；没有时为 null" }),
    deadline: z.string().nullable().openapi({ description: "按哪个截止时间计算（ISO 8601）；null：没有" }),
    face: z.boolean().openapi({ description: "需要人脸识别的课程：任务会跳过它（留给你在学习通中完成）" }),
    forecast: CourseForecastSchema,
    chapters: z.array(ChapterSchema),
  })
  .openapi("ForecastCourse");

const PreviewSchema = ForecastSchema.extend({
  courses: z.array(PreviewCourseSchema).openapi({ description: "每门课程（班级）按学习顺序（截止时间最近的在前）" }),
}).openapi("TaskForecastPreview");

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Each chapter of a survey with its remaining time, as the create dialog lists it. */
function chaptersOut(survey: CourseSurvey, chosen: string[] | null): z.infer<typeof ChapterSchema>[] {
  const planned = outlineOf(survey);
  return survey.chapters.map((c) => {
    const p = planned.find((x) => x.id === c.id);
    const seconds = p ? p.media.reduce((n, m) => n + m.seconds, 0) + (p.calls * CALL_GAP_MS) / 1000 : 0;
    return {
      id: c.id,
      title: c.title,
      finished: c.finished,
      jobs_left: c.finished ? 0 : c.read ? c.media.length + c.documents + c.others : c.jobCount,
      remaining_seconds: Math.round(seconds),
      estimated: p?.estimated === true,
      chosen: !chosen || chosen.includes(c.id),
    };
  });
}

export function registerForecastRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/tasks/forecast",
      tags: ["任务"],
      summary: "预计一组课程（及所选章节）何时学完，不创建任务",
      description:
        "按你的超星账号的学习时段、每日上限、休息与视频间隔，以及该账号上正在运行的其他任务，计算何时完成、需几个学习日；" +
        "并列出每门课程的章节及其剩余时长。第一次读取一门课程会按章节读取任务点（每个未完成的章节一页，按账号节奏发出），之后 30 分钟内直接使用读取结果；" +
        "随后创建的任务沿用这些数据来预计。",
      security: bearer,
      middleware: [requireAuth],
      request: { body: jsonBody(ForecastBody) },
      responses: { 200: json(PreviewSchema, "预计"), 400: errors[400], 401: errors[401], 415: errors[415], 429: errors[429], 502: errors[502] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const userId = c.var.auth.user.id;
      const creds = await unsealed(c.env, userId, await savedCredentials(c.env, userId));
      const { chosen } = resolveChoices(body, await listUserCourses(c.env, creds));
      const surveys = await surveysOf(c.env, creds, chosen, false);
      checkChapters(chosen, surveys);
      const selection = chosen.map((x, k): CourseSelection => ({ ...x.choice, outline: surveys[k] ? outlineOf(surveys[k]) : null }));
      const speed = body.speed ?? (await loadConfig(c.var.db, userId)).speed;
      const ctx = await accountStub(c.env, creds).forecastContext(null, null);
      const f = forecastFor(selectionWork(selection, speed), ctx, clock.now());
      // In the order the task would study them.
      const order = f.courses.map((fc) => chosen.findIndex((x) => courseKey(x.choice) === fc.key));
      return c.json(
        {
          finish_at: iso(f.finishAt),
          study_days: f.studyDays,
          remaining_seconds: f.remainingSeconds,
          misses_deadline: f.missesDeadline,
          computed_at: new Date(f.at).toISOString(),
          estimated: f.estimated,
          basis: {
            window_start: f.basis.windowStart, window_end: f.basis.windowEnd, daily_cap_minutes: f.basis.dailyCapMinutes,
            break_after_minutes: f.basis.breakAfterMinutes, other_tasks: f.basis.otherTasks,
          },
          courses: order.map((k, j) => {
            const { course, choice } = chosen[k]!;
            const fc = f.courses[j]!;
            return {
              course_id: course.courseId,
              clazz_id: course.clazzId,
              name: course.courseName,
              end_date: course.endDate,
              deadline: iso(choice.deadline),
              face: surveys[k]!.face,
              forecast: { finish_at: iso(fc.finishAt), study_days: fc.studyDays, remaining_seconds: fc.remainingSeconds, misses_deadline: fc.missesDeadline },
              chapters: chaptersOut(surveys[k]!, choice.chapters),
            };
          }),
        },
        200,
      );
    },
  );
}
