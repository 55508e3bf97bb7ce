import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { App } from "../types";
import { requireAuth } from "../auth/middleware";
import { tasks, userConfigs } from "../db/schema";
import { accountName } from "../durable/account";
import { qrLoginName } from "../durable/account-qr";
import { isoNow } from "../../shared/clock";
import { consume, type Limit } from "../lib/ratelimit";
import { upstreamError } from "../services/cx-account";
import { loadConfig } from "../users/config";
import { taskStub } from "../tasks/stub";
import { bearer, errors, json } from "./schemas";

/**
 * Binding a Chaoxing account by QR code (README "QR login"): the 学习通 app scans a code the platform
 * made, and no password is typed, sent or kept. The login runs in the user's pending-QR object, through
 * the user's egress like every Chaoxing call (src/durable/account-qr.ts).
 */

/** Each code is a Chaoxing login page and a code image: 10 per user in 10 minutes. */
const qrStartLimit = (userId: number): Limit => ({ key: `qr-start:user:${userId}`, max: 10, windowSeconds: 600 });

const QrStartSchema = z
  .object({
    image: z.string().openapi({ description: "超星生成的二维码（PNG 的 data URL），用学习通 App 扫描" }),
    expires_at: z.string().openapi({ description: "二维码大约在此时失效（以轮询返回的 expired 为准）" }),
    status: z.literal("not_scanned"),
  })
  .openapi("QrLoginStart");

const QrPollSchema = z
  .object({
    status: z.enum(["not_scanned", "scanned", "expired", "cancelled", "logged_in"]).openapi({
      description:
        "not_scanned 未扫码；scanned 已扫码，等待在手机上确认（nickname 为扫码者）；expired 二维码已失效或没有进行中的扫码（重新 POST）；" +
        "cancelled 在手机上取消了；logged_in 已登录并绑定（cx_username 为该账号的手机号；因登录失效而暂停的该账号任务自动继续）",
    }),
    nickname: z.string().nullable(),
    cx_username: z.string().nullable(),
  })
  .openapi("QrLoginStatus");

export function registerQrLoginRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  const pending = (env: Env, userId: number) => env.ACCOUNTS.getByName(qrLoginName(userId));

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/user/config/qr",
      tags: ["用户"],
      summary: "扫码绑定超星账号：生成二维码（不需要也不保存超星密码）",
      description: "经你的出口（中继或直连）向超星取一个登录二维码。之后每 1–2 秒 GET 同一路径轮询状态。每个用户 10 分钟内最多 10 次（429）。",
      ...auth,
      responses: { 200: json(QrStartSchema, "二维码"), 401: errors[401], 429: errors[429], 502: errors[502] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      await consume(c.var.db, qrStartLimit(userId));
      const r = await pending(c.env, userId).qrStart();
      if ("error" in r) throw upstreamError(r.error);
      return c.json({ image: r.image, expires_at: new Date(r.expiresAt).toISOString(), status: "not_scanned" as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/user/config/qr",
      tags: ["用户"],
      summary: "扫码绑定超星账号：轮询状态（登录后绑定，登录方式记为 qr，不保存密码）",
      ...auth,
      responses: { 200: json(QrPollSchema, "状态"), 401: errors[401], 502: errors[502] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      const r = await pending(c.env, userId).qrPoll();
      if (r.status === "error") throw upstreamError(r.error);
      if (r.status !== "logged_in") return c.json({ status: r.status, nickname: r.status === "scanned" ? r.nickname : null, cx_username: null }, 200);
      // The session goes to the phone's binding first: config and tasks then point at a session that exists.
      await c.env.ACCOUNTS.getByName(accountName(userId, r.phone)).adoptQrSession(r.jar);
      await loadConfig(c.var.db, userId);
      await c.var.db
        .update(userConfigs)
        .set({ cxUsername: r.phone, cxPasswordEnc: null, cxLogin: "qr", updatedAt: isoNow() })
        .where(eq(userConfigs.userId, userId));
      await resumeWaiting(c.env, c.var.db, userId, r.phone);
      return c.json({ status: "logged_in" as const, nickname: r.nickname, cx_username: r.phone }, 200);
    },
  );
}

/** The user's tasks paused for a new scan go on (each task checks it is of this phone; the cap holds). */
async function resumeWaiting(env: Env, db: Parameters<typeof loadConfig>[0], userId: number, phone: string): Promise<void> {
  const waiting = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.user_id, userId), eq(tasks.status, "paused"), eq(tasks.reason, "login_required")));
  await Promise.all(waiting.map((t) => taskStub(env, t.id).loginRenewed(phone)));
}
