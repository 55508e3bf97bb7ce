import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { App } from "../../types";
import { adminOnly } from "../../auth/middleware";
import type { UserRow } from "../../auth/tokens";
import type { Db } from "../../db/client";
import { adminAudit } from "../../db/schema";
import { clock, isoNow, shanghaiDayStart } from "../../../shared/clock";
import { decimal } from "../../lib/decimal";
import { bearer, errors, json, PageQuery, pageOf, paginate } from "../schemas";

/**
 * Every admin action the log knows; reads are actions too: an admin looking at a user's tasks or phone
 * number sees a student's data.
 */
export const AUDIT_ACTIONS = [
  "user.list", "user.view", "user.update", "user.delete", "user.reveal_phone", "task.list", "task.view", "task.logs", "task.force_stop",
  "statistics.view", "notify.retry", "system.export", "system.import",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const TARGET_TYPES = ["user", "task", "system"] as const;

export interface AuditEntry {
  action: AuditAction;
  targetType: (typeof TARGET_TYPES)[number];
  targetId?: number | null;
  details?: Record<string, unknown>;
}

/** target_id is text: one column for every kind of target. */
const targetKey = (e: AuditEntry) => (e.targetId == null ? null : String(e.targetId));

/**
 * The audit row as one statement, to go in the same D1 batch as the action it records. `onlyIf` is a
 * condition evaluated in that batch, so the row exists exactly when the guarded action happened (a
 * last-admin guard that refused the update refuses its audit row too).
 */
export function auditStatement(db: Db, actor: UserRow, e: AuditEntry, onlyIf: SQL = sql`1`) {
  // Insert-select over every column in table order (id NULL: autoincrement). Not `db.run(sql)`: drizzle
  // 0.45's D1 batch cannot take raw statements (it reads a prepared `stmt` they do not have).
  return db.insert(adminAudit).select(sql`
    SELECT NULL, ${actor.id}, ${actor.username}, ${e.action}, ${e.targetType}, ${targetKey(e)}, ${JSON.stringify(e.details ?? {})}, ${isoNow()}
    WHERE ${onlyIf}`);
}

/** Reads are logged at most once per admin, action and target in this window, so a polling dashboard does not flood the log. */
const READ_DEDUP_MS = 5 * 60_000;

/** Records a read (list, detail, statistics), unless the same admin made the same read within the window. */
export async function auditRead(db: Db, actor: UserRow, e: AuditEntry): Promise<void> {
  const since = new Date(clock.now() - READ_DEDUP_MS).toISOString();
  await auditStatement(
    db,
    actor,
    e,
    sql`NOT EXISTS (SELECT 1 FROM admin_audit WHERE admin_id = ${actor.id} AND action = ${e.action} AND target_id IS ${targetKey(e)} AND created_at > ${since})`,
  );
}

const AuditSchema = z
  .object({
    id: z.number().int(),
    admin_id: z.number().int().nullable().openapi({ description: "操作的管理员 id（该管理员被删除后仍保留）" }),
    admin_username: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    target_type: z.enum(TARGET_TYPES),
    target_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).openapi({ description: "操作细节：修改前后的值、被删除用户的用户名、查询条件等" }),
    created_at: z.string(),
  })
  .openapi("AdminAuditEntry");

/** A calendar date (YYYY-MM-DD) that exists: "2026-02-30" is refused, not rolled over. */
const Day = z.iso.date();

const AuditQuery = PageQuery.extend({
  action: z.enum(AUDIT_ACTIONS).optional(),
  admin_id: decimal(1).optional(),
  target_type: z.enum(TARGET_TYPES).optional(),
  target_id: z.string().max(20).optional(),
  from: Day.optional().openapi({ description: "起始日期（含），Asia/Shanghai 自然日，YYYY-MM-DD" }),
  to: Day.optional().openapi({ description: "结束日期（含），Asia/Shanghai 自然日，YYYY-MM-DD" }),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from 不能晚于 to", path: ["from"] });

/** The day after a YYYY-MM-DD day: `to` is inclusive, so rows before the next day's start match. */
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function registerAuditRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/audit",
      tags: ["管理员"],
      summary: "管理员操作审计日志（只追加，最新在前）",
      description:
        "每个管理员操作一行：修改类操作（更新、删除用户，强制停止任务）与操作本身在同一个 D1 批次中写入；" +
        "读取类操作（用户列表、用户详情、任务列表、任务详情与日志、统计）同一管理员对同一目标 5 分钟内只记一次。查看审计日志本身不记录。" +
        "from/to 按 Asia/Shanghai 自然日过滤（均含当天）。",
      security: bearer,
      middleware: adminOnly,
      request: { query: AuditQuery },
      responses: { 200: json(pageOf(AuditSchema, "AdminAuditPage"), "审计日志"), 400: errors[400], 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const db = c.var.db;
      const where = and(
        q.action ? eq(adminAudit.action, q.action) : undefined,
        q.admin_id ? eq(adminAudit.adminId, q.admin_id) : undefined,
        q.target_type ? eq(adminAudit.targetType, q.target_type) : undefined,
        q.target_id ? eq(adminAudit.targetId, q.target_id) : undefined,
        q.from ? gte(adminAudit.createdAt, shanghaiDayStart(q.from)) : undefined,
        q.to ? lt(adminAudit.createdAt, shanghaiDayStart(nextDay(q.to))) : undefined,
      );
      const [rows, total] = await Promise.all([
        db.select().from(adminAudit).where(where).orderBy(desc(adminAudit.id)).limit(q.page_size).offset((q.page - 1) * q.page_size).all(),
        db.select({ n: count() }).from(adminAudit).where(where).get(),
      ]);
      const items = rows.map((r) => ({
        id: r.id,
        admin_id: r.adminId,
        admin_username: r.adminUsername,
        action: r.action as AuditAction,
        target_type: r.targetType as (typeof TARGET_TYPES)[number],
        target_id: r.targetId,
        details: r.details ?? {},
        created_at: r.createdAt,
      }));
      return c.json(paginate(items, total?.n ?? 0, q.page, q.page_size), 200);
    },
  );
}
