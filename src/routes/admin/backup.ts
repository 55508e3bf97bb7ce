import { createRoute, z } from "@hono/zod-openapi";
import { asc, gt, inArray } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import { accountName } from "../../durable/account";
import { tasks, userConfigs, users } from "../../db/schema";
import { isoNow } from "../../lib/clock";
import { decimalOr } from "../../lib/decimal";
import { ApiError } from "../../lib/errors";
import { taskStub } from "../../tasks/stub";
import { VERSION } from "../../version";
import { bearer, errors, json, jsonBody } from "../schemas";
import { auditStatement } from "./audit";

/**
 * Backups (docs/operations.md "Backing up"): D1 has the users, tasks and logs (Time Travel, `wrangler d1
 * export`); this exports what only the Durable Objects hold, page by page of users: each task's stored
 * record (where it is in its courses, what is left and why, its counters) and each Chaoxing account's own
 * limits and today's media count. Sessions are not exported (a login rebuilds them), nor run slots and
 * relay pins (they heal).
 */

const Stored = z.unknown().openapi({ description: "对象存储中的原始记录（含其格式版本 v），后续任何版本都能读取" });

const ExportSchema = z
  .object({
    version: z.string().openapi({ description: "导出时的版本" }),
    exported_at: z.string(),
    users: z.array(z.number().int()).openapi({ description: "本页包含的用户 id" }),
    tasks: z.array(z.object({ id: z.number().int(), user_id: z.number().int(), record: Stored, unreadable: Stored.nullable() })).openapi({
      description: "本页用户的任务在任务对象中的记录（没有记录的任务——从未启动的——不列出）；unreadable：当前版本无法读取而保留的原记录",
    }),
    accounts: z
      .array(z.object({ user_id: z.number().int(), phone: z.string(), limits: Stored.nullable(), usage: Stored.nullable() }))
      .openapi({ description: "本页用户各自对超星账号的绑定（账号对象）：用户自定的学习限制（null：沿用默认）与今日的媒体时长" }),
    next_after_user: z.number().int().nullable().openapi({ description: "下一页的 after_user；null 表示已导出全部" }),
  })
  .openapi("AdminExport");

const ImportSchema = z
  .object({
    tasks: z.array(z.object({ id: z.number().int().positive(), record: Stored })).max(100).openapi({ description: "导出中的任务记录（每次至多 100 条）" }),
  })
  .openapi("AdminImport");

const ImportResultSchema = z
  .object({
    restored: z.array(z.number().int()).openapi({ description: "已写回的任务 id（运行中的任务随即继续）" }),
    skipped: z.array(z.object({ id: z.number().int(), detail: z.string() })).openapi({ description: "未写回的任务与原因：任务不存在、对象已有记录（从不覆盖）、记录无法读取" }),
  })
  .openapi("AdminImportResult");

export function registerAdminBackupRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/export",
      summary: "导出 Durable Object 中无法由 D1 重建的内容（按用户分页）",
      description:
        "与 D1 的备份（Time Travel、wrangler d1 export）一起构成完整备份：任务对象的记录、超星账号对象中用户自定的学习限制与今日媒体时长。" +
        "按用户 id 分页：从 after_user=0 开始，直到 next_after_user 为 null。记入审计日志。",
      tags: ["管理员"],
      security: bearer,
      middleware: adminOnly,
      request: {
        query: z.object({
          after_user: decimalOr(0, 0).openapi({ description: "从此用户 id 之后开始" }),
          limit: decimalOr(20, 1, 100).openapi({ description: "每页的用户数" }),
        }),
      },
      responses: { 200: json(ExportSchema, "一页导出"), 400: errors[400], 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const db = c.var.db;
      const { after_user, limit } = c.req.valid("query");
      const page = await db.select({ id: users.id }).from(users).where(gt(users.id, after_user)).orderBy(asc(users.id)).limit(limit);
      const ids = page.map((u) => u.id);
      const [taskRows, configs] = ids.length
        ? await Promise.all([
            db.select({ id: tasks.id, user_id: tasks.user_id }).from(tasks).where(inArray(tasks.user_id, ids)).orderBy(asc(tasks.id)),
            db.select({ userId: userConfigs.userId, phone: userConfigs.cxUsername }).from(userConfigs).where(inArray(userConfigs.userId, ids)),
          ])
        : [[], []];
      // Each user's own binding of their Chaoxing account holds their limits and today's count.
      const bindings = configs.flatMap((r) => (r.phone ? [{ userId: r.userId, phone: r.phone }] : []));
      const [records, accounts] = await Promise.all([
        // RPC types an `unknown` away: the records are whatever the objects stored.
        Promise.all(taskRows.map(async (t) => ({ ...t, stored: (await taskStub(c.env, t.id).exported()) as { record: unknown; unreadable: unknown } | null }))),
        Promise.all(bindings.map(async ({ userId, phone }) => ({ user_id: userId, phone, ...(await c.env.ACCOUNTS.getByName(accountName(userId, phone)).exported()) }))),
      ]);
      await db.batch([auditStatement(db, c.var.auth.user, { action: "system.export", targetType: "system", details: { after_user, users: ids.length } })]);
      return c.json(
        {
          version: VERSION,
          exported_at: isoNow(),
          users: ids,
          tasks: records.flatMap((t) => (t.stored ? [{ id: t.id, user_id: t.user_id, record: t.stored.record, unreadable: t.stored.unreadable }] : [])),
          accounts,
          next_after_user: ids.length === limit ? ids.at(-1)! : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/admin/import",
      summary: "把导出的任务记录写回任务对象（恢复）",
      description:
        "恢复到丢失了对象存储的部署（先恢复 D1）：每条记录只写入尚无记录的任务对象（从不覆盖），运行中的任务随即从超星记录的进度继续。" +
        "超星账号对象的限制与时长不在此导入（见 docs/operations.md）。记入审计日志。",
      tags: ["管理员"],
      security: bearer,
      middleware: adminOnly,
      request: { body: jsonBody(ImportSchema) },
      responses: { 200: json(ImportResultSchema, "导入结果"), 400: errors[400], 401: errors[401], 403: errors[403], 413: errors[413] },
    }),
    async (c) => {
      const db = c.var.db;
      const body = c.req.valid("json");
      if (body.tasks.length === 0) throw new ApiError("bad_request", "没有要导入的任务记录");
      const rows = await db.select().from(tasks).where(inArray(tasks.id, body.tasks.map((t) => t.id)));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const restored: number[] = [];
      const skipped: { id: number; detail: string }[] = [];
      for (const t of body.tasks) {
        const row = byId.get(t.id);
        if (!row) {
          skipped.push({ id: t.id, detail: "任务不存在（先恢复 D1）" });
          continue;
        }
        const r = await taskStub(c.env, t.id).restore(row, t.record);
        if (r.ok) restored.push(t.id);
        else skipped.push({ id: t.id, detail: r.detail });
      }
      await db.batch([auditStatement(db, c.var.auth.user, { action: "system.import", targetType: "system", details: { restored: restored.length, skipped: skipped.length } })]);
      return c.json({ restored, skipped }, 200);
    },
  );
}
