import { createRoute, z } from "@hono/zod-openapi";
import { count, desc, eq, sql } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import { ERROR_SOURCES, errorEvents, notifyDeliveries, notifyEvents, relays, tasks, users } from "../../db/schema";
import { isoNow } from "../../lib/clock";
import { randomToken } from "../../lib/encoding";
import { ApiError } from "../../lib/errors";
import { enqueue, eventDetail, type NotifyMessage } from "../../notify/produce";
import { NOTIFY_EVENTS } from "../../shared/notify";
import { liveOfRow } from "../../tasks/shape";
import { VERSION } from "../../version";
import { bearer, errors, IdParam, json, MessageSchema } from "../schemas";
import { auditRead, auditStatement } from "./audit";
import { engineHealth, EngineHealthSchema } from "./engine";

/** Rows of each list the page shows: the newest ones. */
const LIST = 50;

const DeadLetterSchema = z
  .object({
    id: z.number().int().openapi({ description: "投递记录 id（重试时使用）" }),
    event_id: z.number().int(),
    kind: z.enum(NOTIFY_EVENTS),
    channel: z.string(),
    user_id: z.number().int(),
    username: z.string(),
    task_id: z.number().int().nullable(),
    attempts: z.number().int(),
    http_status: z.number().int().nullable().openapi({ description: "通知渠道最后一次应答的 HTTP 状态" }),
    excerpt: z.string().nullable().openapi({ description: "最后一次应答的摘录（已脱敏）" }),
    updated_at: z.string(),
  })
  .openapi("DeadLetter");

const DiagnosticsSchema = z
  .object({
    version: z.string(),
    engine: EngineHealthSchema,
    dead_letters: z.object({
      total: z.number().int(),
      items: z.array(DeadLetterSchema).openapi({ description: `最新的至多 ${LIST} 条：重试次数用完、进入死信队列的通知投递` }),
    }),
    relays: z.object({
      versions: z.array(z.object({ version: z.string().nullable(), count: z.number().int() })).openapi({ description: "中继代理版本分布（null：从未连接）" }),
      items: z
        .array(
          z.object({
            id: z.number().int(),
            user_id: z.number().int(),
            username: z.string(),
            name: z.string(),
            version: z.string().nullable(),
            last_seen_at: z.string().nullable(),
            created_at: z.string(),
          }),
        )
        .openapi({ description: `最近出现的至多 ${LIST} 个中继代理` }),
    }),
    errors: z
      .array(z.object({ id: z.number().int(), source: z.enum(ERROR_SOURCES), ref: z.string().nullable(), message: z.string(), created_at: z.string() }))
      .openapi({ description: `最近的至多 ${LIST} 条错误：api（未处理的请求错误，ref 为请求 id）、task（任务步骤崩溃或存储记录无法读取，ref 为任务 id）、queue（通知消息处理失败，ref 为事件键）` }),
  })
  .openapi("Diagnostics");

const RetrySchema = MessageSchema.extend({ dead_letters: z.number().int().openapi({ description: "重试后剩余的死信数" }) }).openapi("DeadLetterRetry");

export function registerAdminDiagnosticsRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/diagnostics",
      summary: "诊断：引擎健康度、通知死信、中继代理版本、最近的错误",
      description: "一次读取管理员诊断页所需的全部内容。按统计类读取记入审计日志（5 分钟内同一管理员只记一次）。",
      tags: ["管理员"],
      security: bearer,
      middleware: adminOnly,
      responses: { 200: json(DiagnosticsSchema, "诊断信息"), 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const db = c.var.db;
      const [engine, [dead], deadItems, versions, relayItems, errorItems] = await Promise.all([
        engineHealth(c.env, db),
        db.select({ n: count() }).from(notifyDeliveries).where(eq(notifyDeliveries.status, "dead")),
        db
          .select({
            id: notifyDeliveries.id, event_id: notifyEvents.id, kind: notifyEvents.kind, channel: notifyDeliveries.channel, user_id: notifyEvents.userId,
            username: users.username, task_id: notifyEvents.taskId, attempts: notifyDeliveries.attempts, http_status: notifyDeliveries.httpStatus,
            excerpt: notifyDeliveries.excerpt, updated_at: notifyDeliveries.updatedAt,
          })
          .from(notifyDeliveries)
          .innerJoin(notifyEvents, eq(notifyEvents.id, notifyDeliveries.eventId))
          .innerJoin(users, eq(users.id, notifyEvents.userId))
          .where(eq(notifyDeliveries.status, "dead"))
          .orderBy(desc(notifyDeliveries.updatedAt))
          .limit(LIST),
        db.select({ version: relays.version, count: count() }).from(relays).groupBy(relays.version).orderBy(desc(count())),
        db
          .select({ id: relays.id, user_id: relays.userId, username: users.username, name: relays.name, version: relays.version, last_seen_at: relays.lastSeenAt, created_at: relays.createdAt })
          .from(relays)
          .innerJoin(users, eq(users.id, relays.userId))
          .orderBy(sql`${relays.lastSeenAt} IS NULL`, desc(relays.lastSeenAt))
          .limit(LIST),
        db
          .select({ id: errorEvents.id, source: errorEvents.source, ref: errorEvents.ref, message: errorEvents.message, created_at: errorEvents.createdAt })
          .from(errorEvents)
          .orderBy(desc(errorEvents.id))
          .limit(LIST),
      ]);
      await auditRead(db, c.var.auth.user, { action: "statistics.view", targetType: "system", details: { view: "diagnostics" } });
      // Tests are sent at once and never reach the queue, so no dead letter is one: the kind narrows to the events'.
      const deadEvents = deadItems.flatMap((d) => (d.kind === "test" ? [] : [{ ...d, kind: d.kind }]));
      return c.json(
        { version: VERSION, engine, dead_letters: { total: dead?.n ?? 0, items: deadEvents }, relays: { versions, items: relayItems }, errors: errorItems },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/admin/diagnostics/dead-letters/{id}/retry",
      summary: "重试一条通知死信",
      description:
        "把这条投递重新放回通知队列（用任务当前的状态组织消息）；消费者照常投递并在失败时重试，直至再次进入死信。" +
        "只有状态为 dead 的投递可以重试（否则 409）。记入审计日志。",
      tags: ["管理员"],
      security: bearer,
      middleware: adminOnly,
      request: { params: IdParam },
      responses: { 200: json(RetrySchema, "已重新入队"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 409: errors[409] },
    }),
    async (c) => {
      const db = c.var.db;
      const { id } = c.req.valid("param");
      const found = await db
        .select({ status: notifyDeliveries.status, eventId: notifyEvents.id, key: notifyEvents.idemKey, kind: notifyEvents.kind, userId: notifyEvents.userId, taskId: notifyEvents.taskId })
        .from(notifyDeliveries)
        .innerJoin(notifyEvents, eq(notifyEvents.id, notifyDeliveries.eventId))
        .where(eq(notifyDeliveries.id, id))
        .get();
      if (!found) throw new ApiError("not_found", "投递记录不存在");
      if (found.status !== "dead") throw new ApiError("conflict", `该投递的状态为 ${found.status}，只有死信可以重试`);
      const { kind } = found;
      // A user's test is sent at once, never through the queue: it has no delivery to put back.
      if (kind === "test") throw new ApiError("conflict", "测试通知不经通知队列，无法重试");
      const task = found.taskId === null ? null : await db.select().from(tasks).where(eq(tasks.id, found.taskId)).get();
      if (!task) throw new ApiError("conflict", "该通知的任务已被删除，无法重试");
      // The message carries a claim the event takes now: the consumer delivers it instead of dropping it
      // as a second message for an event already handled (src/notify/consume.ts).
      const claim = randomToken(12);
      const now = isoNow();
      await db.batch([
        db.update(notifyEvents).set({ messageId: claim }).where(eq(notifyEvents.id, found.eventId)),
        db.update(notifyDeliveries).set({ status: "pending", attempts: 0, updatedAt: now }).where(eq(notifyDeliveries.id, id)),
        auditStatement(db, c.var.auth.user, { action: "notify.retry", targetType: "system", targetId: id, details: { event: found.key } }),
      ]);
      const message: NotifyMessage = {
        key: found.key, kind, user_id: found.userId, task_id: task.id, detail: eventDetail(kind, liveOfRow(task)), at: now, claim,
      };
      await enqueue(c.env, message);
      const [left] = await db.select({ n: count() }).from(notifyDeliveries).where(eq(notifyDeliveries.status, "dead"));
      return c.json({ message: "已重新放入通知队列", dead_letters: left?.n ?? 0 }, 200);
    },
  );
}
