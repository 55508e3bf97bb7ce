import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { VERSION } from "../version";
import { json } from "./schemas";

/** A check that has not answered within this long has failed (an uptime monitor waits for the whole answer). */
const CHECK_TIMEOUT_MS = 3_000;
const CHECKS = ["d1", "durable_objects", "queue"] as const;
type CheckName = (typeof CHECKS)[number];

const CheckSchema = z.object({
  ok: z.boolean(),
  ms: z.number().nullable().openapi({ description: "往返耗时（毫秒）；只检查绑定时为 null" }),
  error: z.string().nullable().openapi({ description: "失败原因：timeout 或 error（详情只写入 Worker 日志）" }),
});

const HealthSchema = z
  .object({
    status: z.enum(["ok", "error"]).openapi({ description: "ok：各项检查都通过；error：至少一项失败（HTTP 503），见 failed" }),
    version: z.string().openapi({ description: "本部署的版本（CHANGELOG.md）" }),
    checks: z.object({
      d1: CheckSchema.openapi({ description: "D1：执行一次 SELECT 1" }),
      durable_objects: CheckSchema.openapi({ description: "Durable Object：一次 RPC 往返（不写存储）" }),
      queue: CheckSchema.openapi({ description: "通知队列：生产者绑定存在（不发送消息，以免触发投递）" }),
    }),
    failed: z.array(z.enum(CHECKS)).openapi({ description: "失败的检查项" }),
  })
  .openapi("Health");

async function timed(run: () => Promise<unknown>): Promise<z.infer<typeof CheckSchema>> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), CHECK_TIMEOUT_MS)));
    if ((await Promise.race([run().then(() => "done" as const), timeout])) === "timeout") return { ok: false, ms: null, error: "timeout" };
    return { ok: true, ms: Date.now() - started, error: null };
  } catch (e) {
    console.error("health check failed", e);
    return { ok: false, ms: null, error: "error" };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness for an uptime monitor or a load balancer: D1, a Durable Object round trip and the queue
 * binding, each said to pass or fail; 503 when one fails. `GET /api/health/live` is the no-op liveness
 * (and the API benchmark's baseline).
 */
export function registerHealthRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/health",
      summary: "健康检查：D1、Durable Object 往返与通知队列绑定",
      description: "各项检查并行执行，每项至多 3 秒。全部通过时为 200 与 status: ok；任何一项失败时为 503，failed 列出失败项。无需认证。",
      tags: ["系统"],
      responses: { 200: json(HealthSchema, "各项检查都通过"), 503: json(HealthSchema, "至少一项检查失败") },
    }),
    async (c) => {
      const results = await Promise.all([
        timed(() => c.env.DB.prepare("SELECT 1").first()),
        timed(() => c.env.HUBS.getByName("health").ping()),
        timed(async () => {
          if (typeof c.env.NOTIFY_QUEUE?.send !== "function") throw new Error("NOTIFY_QUEUE is not bound");
        }),
      ]);
      const checks = Object.fromEntries(CHECKS.map((k, i) => [k, k === "queue" ? { ...results[i]!, ms: null } : results[i]!])) as Record<CheckName, z.infer<typeof CheckSchema>>;
      const failed = CHECKS.filter((k) => !checks[k].ok);
      const body = { status: failed.length ? ("error" as const) : ("ok" as const), version: VERSION, checks, failed };
      return failed.length ? c.json(body, 503) : c.json(body, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/health/live",
      summary: "存活检查：Worker 能应答（不访问任何存储）",
      tags: ["系统"],
      responses: { 200: json(z.object({ status: z.literal("ok") }).openapi("Liveness"), "Worker 在运行") },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );
}
