import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../types";
import { requireAuth } from "../auth/middleware";
import type { Credentials } from "../durable/account";
import { normalisePhone } from "../lib/phone-number";
import type { Reply } from "../durable/account-ops";
import { accountStub, listUserCourses, savedCredentials, unsealed, upstreamError, valueOf } from "../services/cx-account";
import { consume, type Limit } from "../lib/ratelimit";
import { bearer, CxPhone, errors, json } from "./schemas";

const CourseSchema = z
  .object({
    courseId: z.string(),
    courseName: z.string(),
    teacherName: z.string(),
    clazzId: z.string(),
    clazzName: z.string().openapi({ description: "班级名称（同一课程可能在多个班级中，各列一条）；超星页面没有时为空串" }),
    cpi: z.string(),
    progress: z.number().int().min(0).max(100).nullable().openapi({ description: "由章节任务点完成数计算（0–100）；超星拒绝提供任务点统计（全部为 0）时为 null（未知）" }),
    state: z.union([z.literal(0), z.literal(1)]).openapi({ description: "0 进行中，1 已结束" }),
    folder: z.string().nullable().openapi({ description: "课程所在文件夹" }),
    startDate: z.string().nullable().openapi({ description: "班级开课日期（课程卡片上的“开课时间”，北京时间 YYYY-MM-DD）；卡片上没有时为 null" }),
    endDate: z.string().nullable().openapi({
      description: "班级结课日期（“开课时间”的结束日）；没有时为 null。平台常把它设为开课后两年，不一定是老师的截止日期；创建任务时作为该课程的默认截止日期",
    }),
  })
  .openapi("Course");

const TestLoginSchema = z
  .object({
    ok: z.boolean(),
    message: z.string().openapi({ description: "结果（中文）；ok=false 时含超星给出的原因" }),
    code: z.enum(["login.wrong_password", "login.refused"]).nullable().openapi({
      description: "ok=false 时为原因的代码（src/shared/texts.ts）：login.wrong_password 手机号或密码错误；login.refused 其他原因（params.error 为超星的原话）",
    }),
    params: z.record(z.string(), z.string()).openapi({ description: "代码的参数：error 为超星的原话" }),
  })
  .openapi("TestLoginResult");

/** Chaoxing's refusal as a code the dashboard words in either language; its own words travel as `error`. */
const refusal = (reason: string) => ({ code: /密码错误|密码不正确/.test(reason) ? ("login.wrong_password" as const) : ("login.refused" as const), params: { error: reason } });

const TestLoginBody = z
  .object({
    cx_username: CxPhone.optional().openapi({ description: "要测试的手机号（不保存）；省略则用已保存的" }),
    cx_password: z.string().min(1).max(128).optional().openapi({ description: "要测试的密码（不保存）；省略则用已保存的" }),
  })
  .openapi("TestLoginRequest");

/** Each test is a real Chaoxing login, unthrottled an oracle for guessing its password: 5 per user in 10 minutes. */
const testLoginLimit = (userId: number): Limit => ({ key: `test-login:user:${userId}`, max: 5, windowSeconds: 600 });

/** The body's values where given, the saved ones for the rest (400 when a part is neither). */
async function credentialsToTest(env: Env, userId: number, body: z.infer<typeof TestLoginBody>): Promise<Credentials> {
  if (body.cx_username !== undefined && body.cx_password !== undefined) return { phone: normalisePhone(body.cx_username), password: body.cx_password, userId };
  const saved = await unsealed(env, userId, await savedCredentials(env, userId));
  return { phone: body.cx_username === undefined ? saved.phone : normalisePhone(body.cx_username), password: body.cx_password ?? saved.password, userId };
}

/**
 * Progress calls (two Chaoxing requests each) go out one course at a time, so listing many courses is
 * not a burst; each result is cached for five minutes by the account object.
 */
const PROGRESS_CONCURRENCY = 1;

export function registerCourseRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/courses/list",
      tags: ["课程"],
      summary: "获取超星课程列表（含进度；结果缓存约 1 分钟，refresh=true 强制刷新）",
      security: bearer,
      middleware: [requireAuth],
      request: { query: z.object({ refresh: z.enum(["true", "false", "1", "0"]).optional() }) },
      responses: { 200: json(z.array(CourseSchema), "课程列表"), 400: errors[400], 401: errors[401], 429: errors[429], 502: errors[502] },
    }),
    async (c) => {
      const refresh = ["true", "1"].includes(c.req.valid("query").refresh ?? "");
      const userId = c.var.auth.user.id;
      const creds = await unsealed(c.env, userId, await savedCredentials(c.env, userId));
      const courses = await listUserCourses(c.env, creds, refresh);
      const account = accountStub(c.env, creds);
      const progress: (number | null)[] = [];
      for (let i = 0; i < courses.length; i += PROGRESS_CONCURRENCY) {
        const batch = courses.slice(i, i + PROGRESS_CONCURRENCY);
        const replies = await Promise.all(batch.map((course) => account.courseProgress(creds, course, refresh)));
        for (const r of replies) progress.push(valueOf<"progress">(r as Reply<"progress">));
      }
      return c.json(
        courses.map((co, i) => ({
          courseId: co.courseId,
          courseName: co.courseName,
          teacherName: co.teacherName,
          clazzId: co.clazzId,
          clazzName: co.clazzName ?? "",
          cpi: co.cpi,
          progress: progress[i] ?? null,
          state: co.state,
          folder: co.folderName,
          startDate: co.startDate,
          endDate: co.endDate,
        })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/user/config/test-login",
      tags: ["用户"],
      summary: "测试超星账号能否登录（请求体中的值只用于测试、不保存；省略的部分用已保存的）",
      description:
        "每个用户 10 分钟内最多测试 5 次（429）。你的账号密码 30 分钟内被超星拒绝 5 次后，" +
        "除当前会话所用的账号密码外，新的账号密码不再发往超星（429，带 Retry-After）；按用户计，他人的错误密码不影响你。",
      security: bearer,
      middleware: [requireAuth],
      request: { body: { content: { "application/json": { schema: TestLoginBody } }, required: false } },
      responses: { 200: json(TestLoginSchema, "登录结果（ok=false 时 message 为超星给出的原因）"), 400: errors[400], 401: errors[401], 429: errors[429], 502: errors[502] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      // An empty body (no Content-Type) is not validated: it means "the saved account".
      const body = (c.req.valid("json") ?? {}) as z.infer<typeof TestLoginBody>;
      await consume(c.var.db, testLoginLimit(userId));
      const creds = await credentialsToTest(c.env, userId, body);
      const r = await accountStub(c.env, creds).testLogin(creds);
      if (r.ok) return c.json({ ok: true, message: "登录成功", code: null, params: {} }, 200);
      const err = upstreamError(r.error);
      if (err.status === 400) return c.json({ ok: false, message: err.detail, ...refusal("reason" in r.error && r.error.reason ? r.error.reason : r.error.message) }, 200);
      throw err;
    },
  );
}
