import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { requireAuth } from "../auth/middleware";
import { sendVerification, verifyEmail } from "../auth/verify-email";
import { config } from "../config";
import { conflict } from "../lib/errors";
import { consume } from "../lib/ratelimit";
import { bearer, errors, json, jsonBody, MessageSchema } from "./schemas";

const VerifyBody = z.object({ token: z.string().min(16).max(128) }).openapi("VerifyEmailRequest");

export function registerVerifyEmailRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/verify-email",
      tags: ["认证"],
      summary: "用邮件中的链接验证邮箱（一次有效，3 天内；邮箱改过则旧链接无效）",
      description:
        "注册和修改邮箱后会向该地址发送验证链接。验证之前，除验证邮件和密码重置邮件外，不向该地址发送任何邮件（通知、测试均不发）。" +
        "验证后若用户从未设置过邮件渠道，邮件通知自动开启。无效、已使用、已过期或邮箱已更改的链接返回 400 invalid_verification_token。",
      request: { body: jsonBody(VerifyBody) },
      responses: { 200: json(MessageSchema, "邮箱已验证"), 400: errors[400], 415: errors[415] },
    }),
    async (c) => {
      await verifyEmail(c.env, c.req.valid("json").token);
      return c.json({ message: "邮箱已验证" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/verify-email/resend",
      tags: ["认证"],
      summary: "重新发送验证邮件到当前邮箱（每人每小时 3 次；已验证为 409）",
      security: bearer,
      middleware: [requireAuth],
      responses: { 200: json(MessageSchema, "已发送"), 401: errors[401], 403: errors[403], 409: errors[409], 429: errors[429] },
    }),
    async (c) => {
      const user = c.var.auth.user;
      if (user.emailVerified) throw conflict("邮箱已验证");
      await consume(c.var.db, { key: `verify-resend:user:${user.id}`, max: 3, windowSeconds: 3600 });
      c.executionCtx.waitUntil(sendVerification(c.var.db, config(c.env), user));
      return c.json({ message: "验证邮件已发送" }, 200);
    },
  );
}
