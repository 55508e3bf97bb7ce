import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../types";
import { requireAuth } from "../auth/middleware";
import { config } from "../config";
import { limitRules, type LimitsView } from "../limits/account-limits";
import { mediaMinutes, TIME_RE, type StudyLimits } from "../limits/study-limits";
import { and, eq } from "drizzle-orm";
import { tasks } from "../db/schema";
import { ApiError } from "../lib/errors";
import { taskStub } from "../tasks/stub";
import { accountStub, savedCredentials, unsealed } from "../services/cx-account";
import { bearer, errors, json, jsonBody } from "./schemas";

const Start = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "时间格式为 HH:MM（00:00–23:59）");
const End = z.string().regex(TIME_RE, "时间格式为 HH:MM（00:00–24:00）");

const LimitsSchema = z
  .object({
    window_start: Start.openapi({ description: "每天学习时段开始（北京时间），默认 08:00", example: "08:00" }),
    window_end: End.openapi({ description: "学习时段结束（可为 24:00；早于开始则跨午夜），默认 23:00", example: "23:00" }),
    daily_cap_minutes: z.number().int().min(1).max(1440).openapi({
      description: "每天（北京时间）最多上报的媒体时长（分钟，按视频播放进度计），默认 360，最多 daily_cap_max_minutes（部署方设定，默认 720）",
    }),
    video_gap_seconds: z.number().int().min(0).max(3600).openapi({ description: "两个视频之间至少间隔（秒），默认 30" }),
    video_gap_jitter_seconds: z.number().int().min(0).max(3600).openapi({ description: "间隔再加上 0 到此值的随机秒数，默认 30" }),
    break_after_minutes: z.number().int().min(10).max(1440).openapi({
      description: "连续播放多少分钟后休息一次（休息时长见 break_minutes），默认 90，最多为部署方的默认值",
    }),
  })
  .openapi("StudyLimitsInput");

const ViewSchema = LimitsSchema.extend({
  customized: z.boolean().openapi({ description: "false：使用部署方的默认值" }),
  timezone: z.literal("Asia/Shanghai"),
  today: z.object({ day: z.string(), media_minutes: z.number() }).openapi({ description: "今天已上报的媒体时长（与任务详情的 today 相同）" }),
  status: z.enum(["open", "outside_window", "daily_cap", "break"]).openapi({
    description:
      "open：可以学习；outside_window：不在学习时段，运行中的任务等待（reason: outside_window）到时段开始；daily_cap：今日媒体时长已满，等待（reason: daily_cap）到次日时段开始；break：连续播放后的休息（reason: break）",
  }),
  resumes_at: z.string().nullable().openapi({ description: "等待时：大约何时继续（时段与上限另加最多 5 分钟随机延迟）" }),
  daily_cap_max_minutes: z.number().int().openapi({ description: "daily_cap_minutes 的上限（部署方设定）" }),
  break_after_max_minutes: z.number().int().openapi({ description: "break_after_minutes 的上限（部署方设定）" }),
  break_minutes: z.object({ min: z.number().int(), max: z.number().int() }).openapi({ description: "每次休息的时长范围（分钟，每次随机，部署方设定）" }),
}).openapi("StudyLimits");

function out(v: LimitsView): z.infer<typeof ViewSchema> {
  return {
    window_start: v.limits.windowStart,
    window_end: v.limits.windowEnd,
    daily_cap_minutes: v.limits.dailyCapMinutes,
    video_gap_seconds: v.limits.videoGapSeconds,
    video_gap_jitter_seconds: v.limits.videoGapJitterSeconds,
    break_after_minutes: v.limits.breakAfterMinutes,
    customized: v.customized,
    timezone: "Asia/Shanghai",
    today: { day: v.day, media_minutes: mediaMinutes(v.mediaSeconds) },
    status: v.status,
    resumes_at: v.resumesAt === null ? null : new Date(v.resumesAt).toISOString(),
    daily_cap_max_minutes: v.rules.dailyCapMaxMinutes,
    break_after_max_minutes: v.rules.breakAfterMaxMinutes,
    break_minutes: { min: v.rules.breakMinMinutes, max: v.rules.breakMaxMinutes },
  };
}

/** A value above what the operator allows: the same 400 a schema bound gives, naming the field. */
function aboveMax(field: string, maximum: number): ApiError {
  const message = `不能超过 ${maximum}`;
  return new ApiError("validation_error", `请求参数错误: ${field}: ${message}`, {
    errors: [{ field, message, code: "too_big", params: { maximum, origin: "number" } }],
  });
}

/**
 * The limits of the user's own binding of their saved Chaoxing phone (src/durable/account.ts): nobody
 * else who saved that phone sees or changes them. Enforced on every automated call of the user's tasks.
 */
export function registerLimitRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  const account = async (env: Env, userId: number) => {
    const creds = await unsealed(env, userId, await savedCredentials(env, userId));
    return { creds, stub: accountStub(env, creds) };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/user/limits",
      tags: ["用户"],
      summary: "超星账号的安全限制：学习时段、每日媒体时长上限、连续学习后的休息、视频间隔（及今日用量）",
      ...auth,
      responses: { 200: json(ViewSchema, "限制与今日用量"), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { creds, stub } = await account(c.env, c.var.auth.user.id);
      return c.json(out(await stub.limitsView(creds)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/user/limits",
      tags: ["用户"],
      summary: "修改超星账号的安全限制（部分更新；对你在该账号上的所有任务生效）",
      ...auth,
      request: { body: jsonBody(LimitsSchema.partial().openapi("StudyLimitsUpdate")) },
      responses: { 200: json(ViewSchema, "修改后的限制"), 400: errors[400], 401: errors[401], 415: errors[415] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const rules = limitRules(config(c.env));
      if (body.daily_cap_minutes !== undefined && body.daily_cap_minutes > rules.dailyCapMaxMinutes) throw aboveMax("daily_cap_minutes", rules.dailyCapMaxMinutes);
      if (body.break_after_minutes !== undefined && body.break_after_minutes > rules.breakAfterMaxMinutes) throw aboveMax("break_after_minutes", rules.breakAfterMaxMinutes);
      const { creds, stub } = await account(c.env, c.var.auth.user.id);
      const current = (await stub.limitsView(creds)).limits;
      const next: StudyLimits = {
        windowStart: body.window_start ?? current.windowStart,
        windowEnd: body.window_end ?? current.windowEnd,
        dailyCapMinutes: body.daily_cap_minutes ?? current.dailyCapMinutes,
        videoGapSeconds: body.video_gap_seconds ?? current.videoGapSeconds,
        videoGapJitterSeconds: body.video_gap_jitter_seconds ?? current.videoGapJitterSeconds,
        breakAfterMinutes: body.break_after_minutes ?? current.breakAfterMinutes,
      };
      const view = await stub.setLimits(creds, next);
      // The user's running tasks forecast again under the new limits (and push it to whoever watches).
      const running = await c.var.db.select({ id: tasks.id }).from(tasks).where(and(eq(tasks.user_id, c.var.auth.user.id), eq(tasks.status, "running")));
      await Promise.all(running.map((r) => taskStub(c.env, r.id).refreshForecast().catch((e: unknown) => console.warn(`task ${r.id}: forecast not refreshed`, e))));
      return c.json(out(view), 200);
    },
  );
}
