import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { requireAuth } from "../auth/middleware";
import { replacePassword } from "../auth/passwords";
import { issueToken, revokeToken, type UserRow } from "../auth/tokens";
import { findByEmail, findByLogin } from "../auth/users";
import { config } from "../config";
import { passwordResets, userConfigs, users } from "../db/schema";
import { clock, isoNow } from "../../shared/clock";
import { sha256Hex, randomToken } from "../../shared/encoding";
import { ApiError, duplicate } from "../lib/errors";
import { mailSender } from "../lib/mail";
import { dummyHash, hashPassword, verifyPassword } from "../lib/password";
import { checkSolution, issueChallenge, POW_TTL_MS } from "../lib/pow";
import { clear, consume, enforce, hit, retryAfter, throttled, type Limit } from "../lib/ratelimit";
import type { Db } from "../db/client";
import type { App, AppEnv } from "../types";
import { LANGUAGES, type Language } from "../shared/notify";
import { sendVerification } from "../auth/verify-email";
import { clientIp } from "../lib/client-ip";
import { bearer, Email, errors, json, jsonBody, MessageSchema, Password, UserSchema, userOut } from "./schemas";

const Username = z
  .string()
  .min(3, "用户名 3–32 位")
  .max(32, "用户名 3–32 位")
  .regex(/^[A-Za-z0-9_.\-\u4e00-\u9fa5]+$/, "用户名只能包含字母、数字、下划线、点、连字符或汉字");

const TokenSchema = z
  .object({ access_token: z.string(), token_type: z.literal("bearer"), expires_in: z.number().int(), user: UserSchema })
  .openapi("Token");

const PowBody = z
  .object({ challenge: z.string().max(200), nonce: z.string().max(64) })
  .openapi("ProofOfWork", { description: "GET /api/auth/challenge 的解：SHA-256(challenge + \":\" + nonce) 以 bits 个 0 位开头" });
const RegisterBody = z
  .object({
    username: Username,
    email: Email,
    password: Password,
    language: z.enum(LANGUAGES).optional().openapi({ description: "界面语言（zh-CN 默认）：验证邮件和之后的通知用这种语言" }),
    pow: PowBody.optional().openapi({ description: "同一地址一小时内第 11 次起需要（428 pow_required 时）；之前的注册不需要" }),
  })
  .openapi("RegisterRequest");
const LoginBody = z
  .object({
    username: z.string().min(1).max(254).openapi({ description: "用户名或邮箱" }),
    password: z.string().min(1).max(128),
    // OAuth2 password-form fields, accepted and ignored.
    grant_type: z.string().max(64).optional(),
    scope: z.string().max(256).optional(),
    client_id: z.string().max(256).optional(),
    client_secret: z.string().max(256).optional(),
  })
  .openapi("LoginRequest");
const ForgotBody = z.object({ email: Email }).openapi("ForgotPasswordRequest");
const ResetBody = z.object({ token: z.string().min(16).max(128), new_password: Password }).openapi("ResetPasswordRequest");

const RESET_TTL_MS = 30 * 60 * 1000;

/** The reset mail in the user's language (the dashboard saves it in the config when the user switches). */
const RESET_MAIL: Record<Language, (username: string, link: string) => { subject: string; text: string }> = {
  "zh-CN": (username, link) => ({
    subject: "chaoxing-edge 密码重置",
    text: `${username}，你好：\n\n请在 30 分钟内打开以下链接重置密码（仅可使用一次）：\n${link}\n\n如果不是你本人操作，请忽略此邮件。`,
  }),
  en: (username, link) => ({
    subject: "chaoxing-edge password reset",
    text: `Hello ${username},\n\nOpen this link within 30 minutes to reset your password (it works once):\n${link}\n\nIf you did not ask for this, ignore this mail.`,
  }),
};
const FORGOT_MESSAGE = "如果该邮箱已注册，将收到密码重置邮件";

/**
 * Login throttles (README "Throttles"). An account is its user id whatever name it is addressed by (a
 * login string nobody has gets the same treatment, so throttling does not tell who exists):
 * - per account and client: 5 attempts in 15 minutes, counted before the check, cleared by a success;
 *   someone else's guesses from another address cannot lock the owner out;
 * - per client: 20 failures in 15 minutes, across accounts;
 * - per account from everywhere: 200 failures an hour, against guessing spread over many addresses.
 *   Its cost: whoever controls 10+ addresses can refuse the owner new sign-ins for up to an hour
 *   (sessions already open keep working); the attacker gets at most 200 guesses an hour.
 */
const limits = {
  loginAttempts: (account: string, ip: string): Limit => ({ key: `login:acct:${account}:ip:${ip}`, max: 5, windowSeconds: 900 }),
  loginClient: (ip: string): Limit => ({ key: `login:ip:${ip}`, max: 20, windowSeconds: 900 }),
  loginCeiling: (account: string): Limit => ({ key: `login:acct:${account}`, max: 200, windowSeconds: 3600 }),
  // Sized for a campus NAT (a class signing up together); past REGISTER_FREE each sign-up proves work.
  register: (ip: string): Limit => ({ key: `register:ip:${ip}`, max: 300, windowSeconds: 3600 }),
  forgotClient: (ip: string): Limit => ({ key: `forgot:ip:${ip}`, max: 10, windowSeconds: 3600 }),
  forgotEmail: (email: string): Limit => ({ key: `forgot:email:${email.toLowerCase()}`, max: 3, windowSeconds: 3600 }),
};

async function tokenResponse(c: Context<AppEnv>, user: UserRow) {
  const cfg = config(c.env);
  const { token } = await issueToken(c.var.db, cfg, user.id);
  return { access_token: token, token_type: "bearer" as const, expires_in: cfg.TOKEN_TTL_SECONDS, user: userOut(user) };
}

/** Sign-ups an address gets each hour without a proof of work. */
const REGISTER_FREE = 10;

/** A proof of work that solves a challenge we signed, used once (its id counted for the challenge's life). */
async function requireWork(env: Env, db: Db, pow: { challenge: string; nonce: string } | undefined): Promise<void> {
  if (!pow) throw new ApiError("pow_required", "该网络地址注册较多：请先完成一次工作量证明（GET /api/auth/challenge），再带上 pow 注册");
  const id = await checkSolution(config(env).JWT_SECRET, pow.challenge, pow.nonce);
  const invalid = () => new ApiError("pow_invalid", "工作量证明无效、已过期或已使用：请重新获取");
  if (!id) throw invalid();
  if ((await hit(db, { key: `pow:${id}`, max: 1, windowSeconds: POW_TTL_MS / 1000 })) > 1) throw invalid();
}

export function registerAuthRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/auth/challenge",
      tags: ["认证"],
      summary: "注册用的工作量证明题目（同一地址注册较多时需要；10 分钟内有效，只能用一次）",
      responses: {
        200: json(
          z.object({ challenge: z.string(), bits: z.number().int(), expires_at: z.string() }).openapi("ProofOfWorkChallenge"),
          "题目：找到 nonce，使 SHA-256(challenge + \":\" + nonce) 以 bits 个 0 位开头",
        ),
      },
    }),
    async (c) => c.json(await issueChallenge(config(c.env).JWT_SECRET), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/register",
      tags: ["认证"],
      summary: "注册新用户（并向邮箱发送验证链接）",
      request: { body: jsonBody(RegisterBody) },
      description:
        "同一地址（如校园网出口）每小时前 10 次注册直接受理；之后每次注册需附上工作量证明（pow，见 GET /api/auth/challenge），" +
        "否则 428 pow_required；每小时每地址最多 300 次（429）。这样一个班在同一出口后也能注册，而批量注册要付出计算代价。",
      responses: { 201: json(TokenSchema, "注册成功"), 400: errors[400], 415: errors[415], 428: errors[428], 429: errors[429] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = c.var.db;
      const cfg = config(c.env);
      const signups = await hit(db, limits.register(clientIp(c)));
      if (signups > limits.register("").max) throw throttled(await retryAfter(db, limits.register(clientIp(c))));
      if (signups > REGISTER_FREE) await requireWork(c.env, db, body.pow);
      const taken = await db
        .select({ username: users.username, email: users.email })
        .from(users)
        .where(sql`lower(${users.username}) = ${body.username.toLowerCase()} OR lower(${users.email}) = ${body.email.toLowerCase()}`)
        .all();
      if (taken.some((u) => u.username.toLowerCase() === body.username.toLowerCase())) throw duplicate("username");
      if (taken.length) throw duplicate("email");
      const now = isoNow();
      const passwordHash = await hashPassword(body.password, cfg.PASSWORD_PEPPER, cfg.PBKDF2_ITERATIONS);
      let user: UserRow;
      try {
        user = (await db.insert(users).values({ username: body.username, email: body.email, passwordHash, createdAt: now, lastLogin: now }).returning().get());
      } catch (e) {
        // Lost a race with a concurrent registration of the same name: the unique index decided (and names itself).
        throw duplicate(String(e).includes("users_email_lower") ? "email" : "username");
      }
      await db.insert(userConfigs).values({ userId: user.id, language: body.language ?? "zh-CN", updatedAt: now });
      // The address is someone's: nothing but this link (and a reset) goes there until they open it.
      c.executionCtx.waitUntil(sendVerification(db, cfg, user));
      return c.json(await tokenResponse(c, user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/login",
      tags: ["认证"],
      summary: "用户登录（JSON 或 OAuth2 密码表单；用户名字段可填邮箱）",
      request: {
        body: {
          content: { "application/json": { schema: LoginBody }, "application/x-www-form-urlencoded": { schema: LoginBody } },
        },
      },
      responses: { 200: json(TokenSchema, "登录成功"), 400: errors[400], 401: errors[401], 403: errors[403], 415: errors[415], 429: errors[429] },
    }),
    async (c) => {
      const fromJson = c.req.valid("json") as Partial<z.infer<typeof LoginBody>>;
      const fromForm = c.req.valid("form") as Partial<z.infer<typeof LoginBody>>;
      const creds = fromJson.username ? fromJson : fromForm;
      if (!creds.username || !creds.password) throw new ApiError("validation_error", "请求参数错误: username, password 必填", { errors: [{ field: "username", message: "必填", code: "invalid_type", params: { expected: "string" } }] });
      const db = c.var.db;
      const cfg = config(c.env);
      const ip = clientIp(c);
      const client = limits.loginClient(ip);
      await enforce(db, client);
      const user = await findByLogin(db, creds.username);
      const account = user ? `user:${user.id}` : `name:${creds.username.toLowerCase()}`;
      const ceiling = limits.loginCeiling(account);
      const acct = limits.loginAttempts(account, ip);
      // The client and ceiling limits count failures; the per-account-and-client one counts every
      // attempt (cleared on success), so parallel guesses from one client cannot all pass the check.
      // Parallel guesses from many clients can pass the ceiling by at most 5 per client.
      await enforce(db, ceiling);
      await consume(db, acct);
      // Verify against a dummy hash for unknown users too, so timing does not tell who exists.
      const ok = await verifyPassword(creds.password, user?.passwordHash ?? (await dummyHash(cfg.PASSWORD_PEPPER, cfg.PBKDF2_ITERATIONS)), cfg.PASSWORD_PEPPER);
      if (!user || !ok) {
        await Promise.all([hit(db, client), hit(db, ceiling)]);
        throw new ApiError("unauthorized", "用户名/邮箱或密码错误");
      }
      if (!user.isActive) throw new ApiError("account_disabled", "账号已被禁用");
      const lastLogin = isoNow();
      await Promise.all([clear(db, acct.key), db.update(users).set({ lastLogin }).where(eq(users.id, user.id))]);
      return c.json(await tokenResponse(c, { ...user, lastLogin }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/refresh",
      tags: ["认证"],
      summary: "用有效令牌换取新令牌（旧令牌随即失效）",
      security: bearer,
      middleware: [requireAuth],
      responses: { 200: json(TokenSchema, "新令牌"), 401: errors[401] },
    }),
    async (c) => {
      const { user, jti } = c.var.auth;
      const body = await tokenResponse(c, user);
      await revokeToken(c.env, user.id, jti);
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/logout",
      tags: ["认证"],
      summary: "退出登录（该令牌立即失效）",
      security: bearer,
      middleware: [requireAuth],
      responses: { 200: json(MessageSchema, "已退出"), 401: errors[401] },
    }),
    async (c) => {
      await revokeToken(c.env, c.var.auth.user.id, c.var.auth.jti);
      return c.json({ message: "已退出登录" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/auth/me",
      tags: ["认证"],
      summary: "获取当前用户信息",
      security: bearer,
      middleware: [requireAuth],
      responses: { 200: json(UserSchema, "当前用户"), 401: errors[401] },
    }),
    (c) => c.json(userOut(c.var.auth.user), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/forgot-password",
      tags: ["认证"],
      summary: "忘记密码（无论邮箱是否注册，回答相同）",
      request: { body: jsonBody(ForgotBody) },
      responses: { 200: json(MessageSchema, "已受理"), 400: errors[400], 429: errors[429] },
    }),
    async (c) => {
      const { email } = c.req.valid("json");
      const db = c.var.db;
      const cfg = config(c.env);
      await consume(db, limits.forgotClient(clientIp(c)), limits.forgotEmail(email));
      const user = await findByEmail(db, email);
      if (user?.isActive) {
        // The write and the mail happen after the response, so both branches answer in the same time.
        c.executionCtx.waitUntil(
          (async () => {
            const token = randomToken(32); // 256 random bits
            await db.insert(passwordResets).values({
              userId: user.id,
              tokenHash: await sha256Hex(token),
              expiresAt: new Date(clock.now() + RESET_TTL_MS).toISOString(),
              createdAt: isoNow(),
            });
            const link = `${cfg.APP_URL.replace(/\/$/, "")}/reset-password?token=${token}`;
            const saved = await db.select({ language: userConfigs.language }).from(userConfigs).where(eq(userConfigs.userId, user.id)).get();
            await mailSender(cfg).send({ to: user.email, ...RESET_MAIL[saved?.language ?? "zh-CN"](user.username, link) });
          })().catch((e) => console.error("password reset mail failed", e)),
        );
      }
      return c.json({ message: FORGOT_MESSAGE }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/reset-password",
      tags: ["认证"],
      summary: "用邮件中的令牌重置密码（令牌一次有效；该用户所有令牌失效）",
      request: { body: jsonBody(ResetBody) },
      responses: { 200: json(MessageSchema, "密码已重置"), 400: errors[400] },
    }),
    async (c) => {
      const { token, new_password } = c.req.valid("json");
      const db = c.var.db;
      const cfg = config(c.env);
      const now = isoNow();
      // Consume atomically: only one request can flip used_at from NULL.
      const used = await db
        .update(passwordResets)
        .set({ usedAt: now })
        .where(and(eq(passwordResets.tokenHash, await sha256Hex(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
        .returning({ userId: passwordResets.userId })
        .get();
      if (!used) throw new ApiError("invalid_reset_token", "重置令牌无效或已过期");
      await replacePassword(c.env, used.userId, await hashPassword(new_password, cfg.PASSWORD_PEPPER, cfg.PBKDF2_ITERATIONS));
      return c.json({ message: "密码已重置，请重新登录" }, 200);
    },
  );
}
