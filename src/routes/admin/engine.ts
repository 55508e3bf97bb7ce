import { createRoute, z } from "@hono/zod-openapi";
import { count, eq, inArray, sql } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import type { Db } from "../../db/client";
import { tasks } from "../../db/schema";
import { bearer, errors, json } from "../schemas";
import { auditRead } from "./audit";

/** How many running task objects one request asks: enough for a p99, few enough to stay one quick request. */
const SAMPLE_TASKS = 50;

const ms = (description: string) => z.number().nullable().openapi({ description });

const EngineHealthSchema = z
  .object({
    running: z.number().int().openapi({ description: "D1 中状态为 running 的任务数" }),
    sampled: z.number().int().openapi({ description: "本次抽样询问的任务对象数（至多 50 个，随机抽取）" }),
    samples: z.number().int().openapi({ description: "参与统计的闹钟延迟样本数（每个任务对象在检查点中保留最近 20 次）" }),
    lateness_ms: z
      .object({
        p50: ms("闹钟实际触发时间比计划晚多少毫秒：中位数（无样本时为 null）"),
        p99: ms("第 99 百分位"),
        max: ms("最大值"),
      })
      .openapi({ description: "任务对象闹钟的延迟：运行时在计划时间之后多久才执行一步。持续偏高说明运行时过载" }),
    by_reason: z
      .array(z.object({ status: z.enum(["running", "paused"]), reason: z.string().nullable(), count: z.number().int() }))
      .openapi({ description: "运行中与已暂停的任务按原因（reason）计数（D1 行）：如 waiting_for_account、relay_offline、captcha" }),
  })
  .openapi("EngineHealth");
export type EngineHealth = z.infer<typeof EngineHealthSchema>;
export { EngineHealthSchema };

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function registerAdminEngineRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/engine",
      summary: "任务引擎健康度：运行中任务数与闹钟延迟（p50/p99/max）",
      description:
        "随机抽取至多 50 个运行中的任务，读取其任务对象检查点中保存的最近 20 次闹钟延迟样本（计划时间到实际执行的毫秒数；" +
        "对象被逐出或重启后仍保留；排队等待视频锁的轮询不计入）。未响应的对象不计入。按统计类读取记入审计日志（5 分钟内同一管理员只记一次）。",
      tags: ["管理员"],
      security: bearer,
      middleware: adminOnly,
      responses: { 200: json(EngineHealthSchema, "引擎健康度"), 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      await auditRead(c.var.db, c.var.auth.user, { action: "statistics.view", targetType: "system", details: { view: "engine" } });
      return c.json(await engineHealth(c.env, c.var.db), 200);
    },
  );
}

/** The engine's figures (this route, and the admin's diagnostics page). */
export async function engineHealth(env: Env, db: Db): Promise<EngineHealth> {
  const [total, picked, byReason] = await Promise.all([
    db.select({ n: count() }).from(tasks).where(eq(tasks.status, "running")).get(),
    db.select({ id: tasks.id }).from(tasks).where(eq(tasks.status, "running")).orderBy(sql`random()`).limit(SAMPLE_TASKS).all(),
    db
      .select({ status: tasks.status, reason: tasks.reason, count: count() })
      .from(tasks)
      .where(inArray(tasks.status, ["running", "paused"]))
      .groupBy(tasks.status, tasks.reason)
      .orderBy(tasks.status, tasks.reason)
      .all(),
  ]);
  // One object that fails to answer (evicted mid-call, overloaded) must not hide the others' figures.
  const answers = await Promise.allSettled(picked.map((r) => env.TASKS.getByName(`task:${r.id}`).timing()));
  const values = answers.flatMap((a) => (a.status === "fulfilled" ? a.value : [])).sort((a, b) => a - b);
  return {
    running: total?.n ?? 0,
    sampled: picked.length,
    samples: values.length,
    lateness_ms: { p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1) ?? null },
    by_reason: byReason.map((r) => ({ status: r.status as "running" | "paused", reason: r.reason, count: r.count })),
  };
}
