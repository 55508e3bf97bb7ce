import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, gte, inArray, sql } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import type { Db } from "../../db/client";
import { studyDays, tasks, upstreamEvents, users } from "../../db/schema";
import { TASK_STATUSES, type TaskStatus } from "../../shared/live";
import { clock, shanghaiDay, shanghaiDayStart } from "../../lib/clock";
import { renderText, type ParamsOf, type TextCode } from "../../shared/texts";
import { CodedSchema } from "../../tasks/shape";
import { bearer, errors, json } from "../schemas";
import { foldTaskTotals, taskTotalsQuery } from "../../users/statistics";
import { auditRead } from "./audit";

const DAY_MS = 24 * 3600_000;
const STUDY_DAYS = 30;
const WINDOW_DAYS = 7;


/** Percent with one decimal; 0 when there is nothing to divide by. */
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10);
const hours = (seconds: number) => Math.round(seconds / 36) / 100;

/** Thresholds for `warnings`: a warning names what crossed which line. */
type WarnCode = Extract<TextCode, `warn.${string}`>;
const WARN = { failedToday: 3, upstream7d: 50, forbidden7d: 1, waitingCaptcha: 1 } as const;

/** Upstream failure kinds (ChaoxingErrorKind), grouped into the headline figures. */
const UPSTREAM_GROUPS = {
  captcha: ["captcha"],
  studyCap: ["study_cap"],
  sessionExpired: ["session_expired"],
  forbidden: ["forbidden"],
  // The account answered 202 and a fresh login did not clear it: the task paused, the student must wait.
  riskControl: ["risk_control"],
  // Throttling and unparseable answers are Chaoxing being flaky too: retried with back-off like 5xx.
  transient: ["transient", "rate_limited", "bad_response"],
} as const;
type UpstreamGroup = keyof typeof UPSTREAM_GROUPS;

const int = (description: string) => z.number().int().openapi({ description });
const num = (description: string) => z.number().openapi({ description });

const StatisticsSchema = z
  .object({
    totalUsers: int("用户总数"),
    activeUsers: int("启用（is_active）的用户数"),
    totalTasks: int("任务总数（现存的任务行，已删除的不计）"),
    runningTasks: int("状态为 running 的任务数（含等待账号、等待学习时长上限的任务）"),
    completedTasks: int("状态为 completed 的任务数"),
    failedTasks: int("状态为 failed 的任务数"),
    todayCompleted: int("今天（Asia/Shanghai 自然日）结束且状态为 completed 的任务数（按 end_time）"),
    todayFailed: int("今天（Asia/Shanghai 自然日）结束且状态为 failed 的任务数（按 end_time）"),
    successRate: num("成功率（%，一位小数）= completed ÷ (completed + failed)，全部时间；无已结束任务时为 0"),
    // The origin sends a count here (seed-wire-shapes.md); its clients print it where a number belongs.
    warnings: int(
      `需要管理员关注的情况的个数：今日失败 ≥ ${WARN.failedToday} 且多于今日完成；近 7 天超星异常合计 ≥ ${WARN.upstream7d}；` +
        `近 7 天 403 拒绝 ≥ ${WARN.forbidden7d}；有任务因验证码暂停等待用户输入。各条的说明见 warning_messages 与 warning_codes`,
    ),
    warning_messages: z.array(z.string()).openapi({ description: "每条警告的中文说明，与 warning_codes 一一对应（个数即 warnings）" }),
    warning_codes: z.array(CodedSchema).openapi({
      description: "每条警告的代码与参数（src/shared/texts.ts 的 warn.*），顺序同 warning_messages：客户端按代码以用户的语言显示",
    }),
    users: z
      .object({ total: int("用户总数"), active: int("启用的用户数"), new7d: int("最近 7×24 小时内注册的用户数") })
      .openapi({ description: "用户概况" }),
    tasksByStatus: z.object(Object.fromEntries(TASK_STATUSES.map((s) => [s, z.number().int()])) as Record<TaskStatus, z.ZodNumber>).openapi({
      description: "各状态的任务数（D1 任务行的 status）",
    }),
    studyHoursTotal: num("全部现存任务的累计学习时长（小时，两位小数）= Σ tasks.study_seconds ÷ 3600"),
    studyHoursByDay: z
      .array(z.object({ day: z.string().openapi({ example: "2026-01-31" }), hours: z.number() }))
      .openapi({ description: "最近 30 个 Asia/Shanghai 自然日（含今天）每天的学习时长（小时，两位小数），来自 study_days，按日期升序，无学习的日子为 0" }),
    jobsCompleted: int("全部现存任务完成的任务点数 = Σ tasks.jobs_completed"),
    completionRate: num("完成率（%，一位小数）= completed ÷ (completed + failed + cancelled)：已结束任务中完成的比例（含被取消的）；无已结束任务时为 0"),
    upstreamFailures: z
      .object({
        since: z.string().openapi({ description: "统计窗口起点（现在 − 7×24 小时，UTC）" }),
        captcha: int("验证码"),
        studyCap: int("学习时长上限（study_cap）"),
        sessionExpired: int("会话过期（session_expired）"),
        forbidden: int("403 拒绝（forbidden）"),
        riskControl: int("超星风控（risk_control）：返回 202 且重新登录一次仍未解除，任务因此暂停"),
        transient: int("临时错误：transient（超时、5xx）+ rate_limited（429）+ bad_response（无法解析的回应）"),
        other: int("其他信号（face_check、not_open、login_failed 等，上面各项之外的）"),
        total: int("窗口内的全部信号数"),
        byKind: z.record(z.string(), z.number().int()).openapi({ description: "窗口内按原始 kind 的计数（只列出出现过的）" }),
      })
      .openapi({ description: "最近 7×24 小时内引擎遇到的超星失败信号（upstream_events）" }),
  })
  .openapi("AdminStatistics");
type AdminStatistics = z.infer<typeof StatisticsSchema>;

/** Every figure of GET /admin/statistics at `now`, from D1 in one batch. */
async function computeStatistics(db: Db, now: number): Promise<AdminStatistics> {
  const today = shanghaiDay(now);
  const weekAgo = new Date(now - WINDOW_DAYS * DAY_MS).toISOString();
  const firstDay = shanghaiDay(now - (STUDY_DAYS - 1) * DAY_MS);

  const [userRow, byStatus, todayRows, dayRows, eventRows, captchaWaiting] = await db.batch([
    db
      .select({ total: count(), active: sql<number>`coalesce(sum(${users.isActive}), 0)`, new7d: sql<number>`coalesce(sum(${users.createdAt} >= ${weekAgo}), 0)` })
      .from(users),
    taskTotalsQuery(db),
    db
      .select({ status: tasks.status, n: count() })
      .from(tasks)
      .where(and(inArray(tasks.status, ["completed", "failed"]), gte(tasks.end_time, shanghaiDayStart(today))))
      .groupBy(tasks.status),
    db.select({ day: studyDays.day, seconds: sql<number>`sum(${studyDays.seconds})` }).from(studyDays).where(gte(studyDays.day, firstDay)).groupBy(studyDays.day),
    db.select({ kind: upstreamEvents.kind, n: count() }).from(upstreamEvents).where(gte(upstreamEvents.createdAt, weekAgo)).groupBy(upstreamEvents.kind),
    db.select({ n: count() }).from(tasks).where(and(eq(tasks.status, "paused"), eq(tasks.reason, "captcha"))),
  ]);

  const { byStatus: tasksByStatus, total: totalTasks, studySeconds, jobs } = foldTaskTotals(byStatus);
  const todayOf = (s: TaskStatus) => todayRows.find((r) => r.status === s)?.n ?? 0;
  const todayCompleted = todayOf("completed");
  const todayFailed = todayOf("failed");

  const perDay = new Map(dayRows.map((r) => [r.day, r.seconds]));
  const studyHoursByDay = Array.from({ length: STUDY_DAYS }, (_, i) => {
    const day = shanghaiDay(now - (STUDY_DAYS - 1 - i) * DAY_MS);
    return { day, hours: hours(perDay.get(day) ?? 0) };
  });

  const byKind = Object.fromEntries(eventRows.map((r) => [r.kind, r.n]));
  const grouped = Object.fromEntries(
    Object.entries(UPSTREAM_GROUPS).map(([g, kinds]) => [g, kinds.reduce((a, k) => a + (byKind[k] ?? 0), 0)]),
  ) as Record<UpstreamGroup, number>;
  const total = eventRows.reduce((a, r) => a + r.n, 0);
  const upstreamFailures = {
    since: weekAgo,
    ...grouped,
    other: total - Object.values(grouped).reduce((a, n) => a + n, 0),
    total,
    byKind,
  };

  const { completed, failed, cancelled } = tasksByStatus;
  const waiting = captchaWaiting[0]?.n ?? 0;
  const warningCodes: { code: WarnCode; params: ParamsOf<WarnCode> }[] = [];
  const warn = <C extends WarnCode>(code: C, params: ParamsOf<C>) => warningCodes.push({ code, params });
  if (todayFailed >= WARN.failedToday && todayFailed > todayCompleted) warn("warn.failed_today", { failed: todayFailed, completed: todayCompleted });
  if (total >= WARN.upstream7d) {
    const { captcha, studyCap: study_cap, sessionExpired: session_expired, forbidden, transient } = grouped;
    warn("warn.upstream_7d", { total, captcha, study_cap, session_expired, forbidden, transient });
  }
  if (grouped.forbidden >= WARN.forbidden7d) warn("warn.forbidden_7d", { forbidden: grouped.forbidden });
  if (waiting >= WARN.waitingCaptcha) warn("warn.captcha_waiting", { n: waiting });

  const u = userRow[0]!;
  return {
    totalUsers: u.total,
    activeUsers: u.active,
    totalTasks,
    runningTasks: tasksByStatus.running,
    completedTasks: completed,
    failedTasks: failed,
    todayCompleted,
    todayFailed,
    successRate: percent(completed, completed + failed),
    warnings: warningCodes.length,
    warning_messages: warningCodes.map((w) => renderText("zh", w.code, w.params)),
    warning_codes: warningCodes,
    users: { total: u.total, active: u.active, new7d: u.new7d },
    tasksByStatus,
    studyHoursTotal: hours(studySeconds),
    studyHoursByDay,
    jobsCompleted: jobs,
    completionRate: percent(completed, completed + failed + cancelled),
    upstreamFailures,
  };
}

export function registerAdminStatisticsRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/statistics",
      tags: ["管理员"],
      summary: "系统统计数据",
      description: "原平台的 camelCase 字段，加上用户概况、各状态任务数、学习时长、完成率与超星失败信号。“今天”与按日统计均为 Asia/Shanghai 自然日。",
      security: bearer,
      middleware: adminOnly,
      responses: { 200: json(StatisticsSchema, "统计"), 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const db = c.var.db;
      const stats = await computeStatistics(db, clock.now());
      await auditRead(db, c.var.auth.user, { action: "statistics.view", targetType: "system" });
      return c.json(stats, 200);
    },
  );
}
