import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { requireAuth } from "../auth/middleware";
import type { LimitsView } from "../limits/account-limits";
import { TIME_RE, type StudyLimits } from "../limits/study-limits";
import { ApiError } from "../lib/errors";
import { accountStub, savedCredentials, unsealed } from "../services/cx-account";
import { bearer, errors, json, jsonBody } from "./schemas";

const Start = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "时间格式为 HH:MM（00:00–23:59）");
const End = z.string().regex(TIME_RE, "时间格式为 HH:MM（00:00–24:00）");

const LimitsSchema = z
  .object({
    window_start: Start.openapi({ description: "每天学习时段开始（北京时间），默认 08:00", example: "08:00" }),
    window_end: End.openapi({ description: "学习时段结束（可为 24:00；早于开始则跨午夜），默认 23:00", example: "23:00" }),
    daily_cap_minutes: z.number().int().min(1).max(1440).openapi({ description: "每天（北京时间）最多上报的媒体时长（分钟，按视频播放进度计），默认 1200" }),
    video_gap_seconds: z.number().int().min(0).max(3600).openapi({ description: "两个视频之间至少间隔（秒），默认 30" }),
    video_gap_jitter_seconds: z.number().int().min(0).max(3600).openapi({ description: "间隔再加上 0 到此值的随机秒数，默认 30" }),
  })
  .openapi("StudyLimitsInput");

const ViewSchema = LimitsSchema.extend({
  customized: z.boolean().openapi({ description: "false：使用部署方的默认值" }),
  timezone: z.literal("Asia/Shanghai"),
  today: z.object({ day: z.string(), media_minutes: z.number() }).openapi({ description: "今天已上报的媒体时长" }),
  status: z.enum(["open", "outside_window", "daily_cap"]).openapi({
    description: "open：可以学习；outside_window：不在学习时段，运行中的任务等待（reason: outside_window）到时段开始；daily_cap：今日媒体时长已满，等待（reason: daily_cap）到次日",
  }),
  resumes_at: z.string().nullable().openapi({ description: "等待时：大约何时继续（另加最多 5 分钟随机延迟）" }),
}).openapi("StudyLimits");

const LOCKED = "这个超星账号当前的登录会话不是用你保存的密码建立的：请先在设置里「测试登录」，再查看或修改它的限制";

function out(v: LimitsView): z.infer<typeof ViewSchema> {
  return {
    window_start: v.limits.windowStart,
    window_end: v.limits.windowEnd,
    daily_cap_minutes: v.limits.dailyCapMinutes,
    video_gap_seconds: v.limits.videoGapSeconds,
    video_gap_jitter_seconds: v.limits.videoGapJitterSeconds,
    customized: v.customized,
    timezone: "Asia/Shanghai",
    today: { day: v.day, media_minutes: Math.round((v.mediaSeconds / 60) * 10) / 10 },
    status: v.status,
    resumes_at: v.resumesAt === null ? null : new Date(v.resumesAt).toISOString(),
  };
}

/**
 * Issue 14: the safety limits of the user's saved Chaoxing account (per account, shared by everyone who
 * saved that phone, enforced by the account object on every automated call).
 */
export function registerLimitRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  const account = async (env: Env, userId: number) => {
    const creds = await unsealed(env, userId, await savedCredentials(env, userId));
    return { creds, stub: accountStub(env, creds.phone) };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/user/limits",
      tags: ["用户"],
      summary: "超星账号的安全限制：学习时段、每日媒体时长上限、视频间隔（及今日用量）",
      ...auth,
      responses: { 200: json(ViewSchema, "限制与今日用量"), 400: errors[400], 401: errors[401], 409: errors[409] },
    }),
    async (c) => {
      const { creds, stub } = await account(c.env, c.var.auth.user.id);
      const v = await stub.limitsView(creds);
      if (!v) throw new ApiError("limits_locked", LOCKED);
      return c.json(out(v), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/user/limits",
      tags: ["用户"],
      summary: "修改超星账号的安全限制（部分更新；对该账号的所有任务生效）",
      ...auth,
      request: { body: jsonBody(LimitsSchema.partial().openapi("StudyLimitsUpdate")) },
      responses: { 200: json(ViewSchema, "修改后的限制"), 400: errors[400], 401: errors[401], 409: errors[409], 415: errors[415] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { creds, stub } = await account(c.env, c.var.auth.user.id);
      const current = await stub.limitsView(creds);
      if (!current) throw new ApiError("limits_locked", LOCKED);
      const next: StudyLimits = {
        windowStart: body.window_start ?? current.limits.windowStart,
        windowEnd: body.window_end ?? current.limits.windowEnd,
        dailyCapMinutes: body.daily_cap_minutes ?? current.limits.dailyCapMinutes,
        videoGapSeconds: body.video_gap_seconds ?? current.limits.videoGapSeconds,
        videoGapJitterSeconds: body.video_gap_jitter_seconds ?? current.limits.videoGapJitterSeconds,
      };
      const v = await stub.setLimits(creds, next);
      if (!v) throw new ApiError("limits_locked", LOCKED);
      return c.json(out(v), 200);
    },
  );
}
