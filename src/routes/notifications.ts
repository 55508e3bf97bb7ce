import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, gte, inArray } from "drizzle-orm";
import type { App } from "../types";
import { requireAuth } from "../auth/middleware";
import { config } from "../config";
import { getDb } from "../db/client";
import { notifyChannels, notifyDeliveries, notifyEvents, userConfigs } from "../db/schema";
import { clock, isoNow, shanghaiDay, shanghaiDayStart } from "../../shared/clock";
import { randomToken } from "../../shared/encoding";
import { ApiError, conflict, type FieldError } from "../lib/errors";
import { consume } from "../lib/ratelimit";
import { checkChannelUrl, openSecrets, sealSecrets, type ChannelRow } from "../notify/channels";
import { deliverTo } from "../notify/deliver";
import { testNotice } from "../notify/messages";
import type { HttpChannel } from "../notify/providers";
import {
  NOTIFY_CHANNELS, NOTIFY_DELIVERY_STATUSES, NOTIFY_EVENT_STATUSES, NOTIFY_EVENTS, SECRET_FIELDS, URL_FIELDS,
  type NotifyChannel, type NotifyEventKind, type SecretField, type Secrets,
} from "../shared/notify";
import { bearer, errors, IdParam, json, jsonBody } from "./schemas";
import { ownTask } from "../tasks/ownership";
import { loadConfig } from "../users/config";

// ---- schemas -------------------------------------------------------------------------------------

const Enabled = z.boolean().openapi({ description: "是否启用此渠道" });
const isSet = (what: string) => z.boolean().openapi({ description: `是否已保存${what}（本身从不返回）` });
const Host = z.string().nullable().openapi({ description: "已保存网址的主机名（便于辨认；网址本身从不返回）" });

const ChannelsOut = z
  .object({
    email: z.object({
      enabled: Enabled,
      verified: z.boolean().openapi({ description: "邮箱是否已验证：未验证时不发送任何通知（也不能测试），只发验证链接和密码重置" }),
      address: z.string().openapi({ description: "发往账号的注册邮箱" }),
    }),
    serverchan: z.object({ enabled: Enabled, sendkey_set: isSet(" SendKey") }),
    pushplus: z.object({ enabled: Enabled, token_set: isSet(" token") }),
    bark: z.object({ enabled: Enabled, device_url_set: isSet("设备地址"), host: Host }),
    wecom: z.object({ enabled: Enabled, webhook_url_set: isSet(" webhook 地址"), host: Host }),
    dingtalk: z.object({ enabled: Enabled, webhook_url_set: isSet(" webhook 地址"), secret_set: isSet("加签密钥"), host: Host }),
    feishu: z.object({ enabled: Enabled, webhook_url_set: isSet(" webhook 地址"), secret_set: isSet("签名校验密钥"), host: Host }),
    webhook: z.object({ enabled: Enabled, url_set: isSet("地址"), secret_set: isSet("签名密钥"), host: Host }),
  })
  .openapi("NotificationChannels");

const EventsOut = z.object(Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, z.boolean()])) as Record<NotifyEventKind, z.ZodBoolean>).openapi("NotificationEvents");

const SettingsSchema = z
  .object({
    channels: ChannelsOut,
    events: EventsOut,
    daily_cap: z.number().int().openapi({ description: "每人每天（北京时间）最多发出的通知数（NOTIFY_DAILY_CAP）" }),
    sent_today: z.number().int().openapi({ description: "今天已发出的通知数" }),
  })
  .openapi("NotificationSettings", {
    example: {
      channels: {
        email: { enabled: true, verified: true, address: "alice@example.com" },
        serverchan: { enabled: true, sendkey_set: true },
        pushplus: { enabled: false, token_set: false },
        bark: { enabled: true, device_url_set: true, host: "api.day.app" },
        wecom: { enabled: false, webhook_url_set: false, host: null },
        dingtalk: { enabled: false, webhook_url_set: false, secret_set: false, host: null },
        feishu: { enabled: false, webhook_url_set: false, secret_set: false, host: null },
        webhook: { enabled: false, url_set: false, secret_set: false, host: null },
      },
      events: { captcha: true, notopen_ask: true, risk_control: true, relay_offline: true, relay_outdated: true, completed: true, failed: true, rolled_back: true, admin_stop: true, daily_cap: false, login_required: true },
      daily_cap: 30,
      sent_today: 2,
    },
  });

/** A secret in an update: omitted keeps the saved one, null clears it, a string replaces it. */
const secretIn = (s: z.ZodString, what: string) => s.nullable().optional().openapi({ description: `只写：${what}；省略则保留，null 清除` });
const Key = z.string().trim().regex(/^[A-Za-z0-9_-]{6,128}$/, "应为 6–128 位字母、数字、_ 或 -");
const Url = z.string().trim().min(1).max(500);
const Signing = z.string().trim().min(1).max(200);

const ChannelsIn = z
  .object({
    email: z.object({ enabled: z.boolean().optional() }).optional(),
    serverchan: z.object({ enabled: z.boolean().optional(), sendkey: secretIn(Key, "Server酱 SendKey") }).optional(),
    pushplus: z.object({ enabled: z.boolean().optional(), token: secretIn(Key, "PushPlus token") }).optional(),
    bark: z.object({ enabled: z.boolean().optional(), device_url: secretIn(Url, "Bark 设备地址，如 https://api.day.app/<key>") }).optional(),
    wecom: z.object({ enabled: z.boolean().optional(), webhook_url: secretIn(Url, "企业微信群机器人 webhook 地址") }).optional(),
    dingtalk: z
      .object({ enabled: z.boolean().optional(), webhook_url: secretIn(Url, "钉钉群机器人 webhook 地址"), secret: secretIn(Signing, "加签密钥（SEC 开头）") })
      .optional(),
    feishu: z
      .object({ enabled: z.boolean().optional(), webhook_url: secretIn(Url, "飞书群机器人 webhook 地址"), secret: secretIn(Signing, "签名校验密钥") })
      .optional(),
    webhook: z
      .object({
        enabled: z.boolean().optional(),
        url: secretIn(Url, "接收通知的 https 地址"),
        secret: secretIn(z.string().min(16, "签名密钥至少 16 个字符").max(200), "HMAC-SHA256 签名密钥"),
      })
      .optional(),
  });

const SettingsUpdate = z
  .object({
    channels: ChannelsIn.optional(),
    events: z.object(Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, z.boolean().optional()])) as Record<NotifyEventKind, z.ZodOptional<z.ZodBoolean>>).optional(),
  })
  .openapi("NotificationSettingsUpdate", {
    example: {
      channels: { bark: { enabled: true, device_url: "https://api.day.app/yourDeviceKey" }, dingtalk: { secret: null } },
      events: { daily_cap: false },
    },
  });

const TestBody = z.object({ channel: z.enum(NOTIFY_CHANNELS) }).openapi("NotificationTest", { example: { channel: "bark" } });

const TestResult = z
  .object({
    channel: z.enum(NOTIFY_CHANNELS),
    ok: z.boolean().openapi({ description: "服务商是否接受了这条通知" }),
    status: z.number().int().nullable().openapi({ description: "服务商的 HTTP 状态码（邮件或地址被拒时为 null）" }),
    excerpt: z.string().openapi({ description: "服务商回答的开头（已隐去密钥，最多 200 字）" }),
  })
  .openapi("NotificationTestResult", { example: { channel: "bark", ok: true, status: 200, excerpt: '{"code":200,"message":"success","timestamp":1767225600}' } });

const DeliverySchema = z.object({
  channel: z.enum(NOTIFY_CHANNELS),
  status: z.enum(NOTIFY_DELIVERY_STATUSES).openapi({ description: "pending 等待或重试中；sent 已送达；failed 被拒（不再重试）；dead 重试用尽" }),
  attempts: z.number().int(),
  http_status: z.number().int().nullable(),
  excerpt: z.string().nullable(),
  updated_at: z.string(),
});

const TaskNotificationSchema = z
  .object({
    id: z.number().int(),
    event: z.enum(NOTIFY_EVENTS),
    status: z.enum(NOTIFY_EVENT_STATUSES).openapi({
      description: "accepted 已发往启用的渠道；throttled 同一任务同类通知 10 分钟内已发过；capped 已达每日上限；muted 该类通知已关闭；no_channel 没有启用的渠道",
    }),
    created_at: z.string(),
    deliveries: z.array(DeliverySchema),
  })
  .openapi("TaskNotification", {
    example: {
      id: 7,
      event: "captcha",
      status: "accepted",
      created_at: "2026-01-31T08:00:00.000Z",
      deliveries: [{ channel: "bark", status: "sent", attempts: 1, http_status: 200, excerpt: '{"code":200,"message":"success"}', updated_at: "2026-01-31T08:00:01.000Z" }],
    },
  });

type Settings = z.infer<typeof SettingsSchema>;
type SettingsPatch = z.infer<typeof SettingsUpdate>;
type ChannelPatch = { enabled?: boolean } & Partial<Record<SecretField, string | null>>;

// ---- settings ------------------------------------------------------------------------------------

const fieldsOf = (kind: NotifyChannel): SecretField[] => [...SECRET_FIELDS[kind].required, ...SECRET_FIELDS[kind].optional];

async function sentToday(env: Env, userId: number): Promise<number> {
  const since = shanghaiDayStart(shanghaiDay(clock.now()));
  const r = await getDb(env)
    .select({ n: count() })
    .from(notifyEvents)
    .where(and(eq(notifyEvents.userId, userId), eq(notifyEvents.status, "accepted"), gte(notifyEvents.createdAt, since)))
    .get();
  return r?.n ?? 0;
}

async function settingsOut(env: Env, user: { id: number; email: string; emailVerified: boolean }): Promise<Settings> {
  const db = getDb(env);
  const [cfg, rows, sent] = await Promise.all([
    loadConfig(db, user.id),
    db.select().from(notifyChannels).where(eq(notifyChannels.userId, user.id)).all(),
    sentToday(env, user.id),
  ]);
  const channels: Record<string, Record<string, unknown>> = {};
  for (const kind of NOTIFY_CHANNELS) {
    const row = rows.find((r) => r.kind === kind);
    const secrets = row ? await openSecrets(env, row) : {};
    const out: Record<string, unknown> = { enabled: row?.enabled ?? false };
    for (const f of fieldsOf(kind)) out[`${f}_set`] = Boolean(secrets[f]);
    if (kind === "email") Object.assign(out, { verified: user.emailVerified, address: user.email });
    else if (fieldsOf(kind).some((f) => URL_FIELDS.includes(f))) out.host = row?.host ?? null;
    channels[kind] = out;
  }
  const events = Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, !cfg.notifyMuted.includes(e)])) as Record<NotifyEventKind, boolean>;
  // Built field by field from SECRET_FIELDS above; the shape is ChannelsOut's.
  return { channels: channels as Settings["channels"], events, daily_cap: config(env).NOTIFY_DAILY_CAP, sent_today: sent };
}

/**
 * A test is a notification like any other for the daily cap: recorded as an event of kind `test` (no
 * task), counted and refused in one statement, so ten tests every ten minutes cannot add up to a
 * mail bomb beyond the cap. 429 `notify_capped` until the next Shanghai day once the cap is reached.
 */
async function countTest(env: Env, userId: number): Promise<void> {
  const now = clock.now();
  const dayStart = shanghaiDayStart(shanghaiDay(now));
  const key = `test:${userId}:${randomToken(12)}`;
  const row = await env.DB.prepare(
    `INSERT INTO notify_events (idem_key, message_id, user_id, task_id, kind, status, created_at)
     SELECT ?1, ?1, ?2, NULL, 'test',
       CASE WHEN (SELECT count(*) FROM notify_events WHERE user_id = ?2 AND status = 'accepted' AND created_at >= ?3) >= ?4 THEN 'capped' ELSE 'accepted' END,
       ?5
     RETURNING status`,
  )
    .bind(key, userId, dayStart, config(env).NOTIFY_DAILY_CAP, new Date(now).toISOString())
    .first<{ status: string }>();
  if (row?.status !== "accepted") {
    const nextDay = Date.parse(dayStart) + 24 * 3600_000;
    throw new ApiError("notify_capped", `今日通知已达上限（${config(env).NOTIFY_DAILY_CAP} 条，含测试），明天再试`, { retryAfter: (nextDay - now) / 1000 });
  }
}

/** The new secrets and switch of one channel after `patch`, or the field errors that refuse it. */
async function applyPatch(env: Env, kind: NotifyChannel, row: ChannelRow | undefined, patch: ChannelPatch, errs: FieldError[]) {
  const secrets: Secrets = row ? await openSecrets(env, row) : {};
  for (const f of fieldsOf(kind)) {
    const v = patch[f];
    if (v === undefined) continue;
    if (v === null) {
      delete secrets[f];
      continue;
    }
    if (URL_FIELDS.includes(f)) {
      const check = checkChannelUrl(env, kind as HttpChannel, v);
      if (!check.ok) {
        errs.push({ field: `channels.${kind}.${f}`, message: check.reason, code: "custom" });
        continue;
      }
    }
    secrets[f] = v;
  }
  const missing = SECRET_FIELDS[kind].required.filter((f) => !secrets[f]);
  let enabled = patch.enabled ?? row?.enabled ?? false;
  if (missing.length && enabled) {
    // Asked to enable without what it needs: refuse. A required secret cleared: the channel goes off.
    if (patch.enabled) errs.push({ field: `channels.${kind}.${missing[0]}`, message: "启用前请先填写", code: "invalid_type", params: { expected: "string" } });
    enabled = false;
  }
  const urlField = URL_FIELDS.find((f) => secrets[f]);
  const host = urlField ? new URL(secrets[urlField]!).hostname : null;
  return { enabled, secrets, host };
}

async function updateSettings(env: Env, userId: number, body: SettingsPatch): Promise<void> {
  const db = getDb(env);
  const cfg = await loadConfig(db, userId);
  const rows = await db.select().from(notifyChannels).where(eq(notifyChannels.userId, userId)).all();
  const errs: FieldError[] = [];
  const now = isoNow();
  const writes = [];
  for (const kind of NOTIFY_CHANNELS) {
    const patch = body.channels?.[kind] as ChannelPatch | undefined;
    if (!patch) continue;
    const next = await applyPatch(env, kind, rows.find((r) => r.kind === kind), patch, errs);
    const values = { enabled: next.enabled, secretsEnc: await sealSecrets(env, userId, kind, next.secrets), host: next.host, updatedAt: now };
    writes.push(
      db.insert(notifyChannels).values({ userId, kind, ...values }).onConflictDoUpdate({ target: [notifyChannels.userId, notifyChannels.kind], set: values }),
    );
  }
  if (errs.length) throw new ApiError("validation_error", `请求参数错误: ${errs.map((e) => `${e.field}: ${e.message}`).join("; ")}`, { errors: errs });
  if (body.events) {
    const muted = new Set(cfg.notifyMuted);
    for (const [e, on] of Object.entries(body.events) as [NotifyEventKind, boolean | undefined][]) {
      if (on === true) muted.delete(e);
      else if (on === false) muted.add(e);
    }
    writes.push(db.update(userConfigs).set({ notifyMuted: [...muted], updatedAt: now }).where(eq(userConfigs.userId, userId)));
  }
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
}

// ---- routes --------------------------------------------------------------------------------------

export function registerNotificationRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/user/notifications",
      tags: ["通知"],
      summary: "获取通知设置（渠道、事件开关、今日用量；密钥从不返回）",
      ...auth,
      responses: { 200: json(SettingsSchema, "通知设置"), 401: errors[401] },
    }),
    async (c) => c.json(await settingsOut(c.env, c.var.auth.user), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/user/notifications",
      tags: ["通知"],
      summary: "更新通知设置（部分更新）",
      description:
        "只改请求中出现的渠道和字段。密钥类字段只写：省略则保留，null 清除。网址必须是 https 且不能指向内网、回环或保留地址；企业微信、钉钉、飞书的地址必须在各自的官方域名上。启用一个缺少必填密钥的渠道返回 400；清除必填密钥会关闭该渠道。",
      ...auth,
      request: { body: jsonBody(SettingsUpdate) },
      responses: { 200: json(SettingsSchema, "更新后的通知设置"), 400: errors[400], 401: errors[401], 415: errors[415] },
    }),
    async (c) => {
      await updateSettings(c.env, c.var.auth.user.id, c.req.valid("json"));
      return c.json(await settingsOut(c.env, c.var.auth.user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/user/notifications/test",
      tags: ["通知"],
      summary: "向一个渠道发送测试通知，返回服务商的回答",
      description:
        "使用已保存的设置（不要求已启用）。每人每 10 分钟最多 10 次；测试计入每日通知上限（NOTIFY_DAILY_CAP），达到上限为 429 notify_capped。" +
        "邮件渠道需邮箱已验证（否则 409 email_unverified）。服务商有回答时为 200（ok 表示是否接受）；连不上服务商为 502。",
      ...auth,
      request: { body: jsonBody(TestBody) },
      responses: {
        200: json(TestResult, "服务商的回答"),
        400: errors[400],
        401: errors[401],
        409: errors[409],
        415: errors[415],
        429: errors[429],
        502: errors[502],
      },
    }),
    async (c) => {
      const { channel } = c.req.valid("json");
      const user = c.var.auth.user;
      const db = c.var.db;
      const row = await db.select().from(notifyChannels).where(and(eq(notifyChannels.userId, user.id), eq(notifyChannels.kind, channel))).get();
      const secrets = row ? await openSecrets(c.env, row) : {};
      if (channel !== "email" && (!row || SECRET_FIELDS[channel].required.some((f) => !secrets[f]))) throw conflict("该渠道还没有配置，请先保存");
      // Anyone can register with another person's address: it gets no test until its owner verified it.
      if (channel === "email" && !user.emailVerified) throw new ApiError("email_unverified", "邮箱尚未验证：请先打开验证邮件中的链接");
      // A test reaches out to a URL the user chose: bounded, so it cannot become a probe.
      await consume(db, { key: `notify-test:user:${user.id}`, max: 10, windowSeconds: 600 });
      await countTest(c.env, user.id);
      const cfg = await loadConfig(db, user.id);
      const target: ChannelRow = row ?? { id: 0, userId: user.id, kind: "email", enabled: false, secretsEnc: null, host: null, updatedAt: isoNow() };
      const a = await deliverTo(c.env, target, user.email, testNotice(cfg.language, `test:${randomToken(12)}`, isoNow()));
      if (a.verdict === "retry" && a.status === null) throw new ApiError("upstream_failed", `无法连接通知服务: ${a.excerpt}`);
      return c.json({ channel, ok: a.verdict === "sent", status: a.status, excerpt: a.excerpt }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks/{id}/notifications",
      tags: ["通知"],
      summary: "该任务发出的通知（最新 50 条，含每个渠道的结果）",
      ...auth,
      request: { params: IdParam },
      responses: { 200: json(z.array(TaskNotificationSchema), "通知记录"), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const db = c.var.db;
      const task = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      const events = await db.select().from(notifyEvents).where(eq(notifyEvents.taskId, task.id)).orderBy(desc(notifyEvents.id)).limit(50).all();
      const deliveries = events.length
        ? await db.select().from(notifyDeliveries).where(inArray(notifyDeliveries.eventId, events.map((e) => e.id))).orderBy(notifyDeliveries.id).all()
        : [];
      return c.json(
        events.flatMap((e) => (e.kind === "test" ? [] : [{ ...e, kind: e.kind }])).map((e) => ({
          id: e.id,
          event: e.kind,
          status: e.status,
          created_at: e.createdAt,
          deliveries: deliveries
            .filter((d) => d.eventId === e.id)
            .map((d) => ({ channel: d.channel, status: d.status, attempts: d.attempts, http_status: d.httpStatus, excerpt: d.excerpt, updated_at: d.updatedAt })),
        })),
        200,
      );
    },
  );
}
