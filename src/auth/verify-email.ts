/**
 * E-mail verification. Anyone can register with someone else's address, so until the owner of the
 * address opens the link mailed to it, nothing but that link and a password reset goes there (no
 * notification, no test). Opening it verifies the address the link was sent to, only while the account
 * still has it, and turns e-mail notifications on unless the user already chose (a channel row exists).
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Config } from "../config";
import { getDb, type Db } from "../db/client";
import { emailVerifications, userConfigs } from "../db/schema";
import { clock, isoNow } from "../lib/clock";
import { randomToken, sha256Hex } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import { mailSender } from "../lib/mail";
import type { Language } from "../shared/notify";

/** Long enough to find the mail the next day; a lost link is resent from the dashboard. */
const VERIFY_TTL_MS = 3 * 24 * 3600_000;

const VERIFY_MAIL: Record<Language, (username: string, link: string) => { subject: string; text: string }> = {
  "zh-CN": (username, link) => ({
    subject: "学习通助手：请验证你的邮箱",
    text:
      `${username}，你好：\n\n请在 3 天内打开以下链接，确认这是你的邮箱：\n${link}\n\n` +
      "验证后，任务需要你处理时（验证码、风控、中继离线、需手动完成的内容、失败等）会发邮件提醒你。在验证之前，除了这封邮件和密码重置邮件，本站不会向这个地址发送任何邮件。\n\n" +
      "如果你没有注册过学习通助手，请忽略此邮件。",
  }),
  en: (username, link) => ({
    subject: "Chaoxing Helper: verify your e-mail address",
    text:
      `Hello ${username},\n\nOpen this link within 3 days to confirm that this address is yours:\n${link}\n\n` +
      "Once verified, you are mailed when a task needs you (a captcha, risk control, the relay offline, items to do by hand, a failure…). Until then, nothing but this mail and password resets is sent to this address.\n\n" +
      "If you did not register at Chaoxing Helper, ignore this mail.",
  }),
};

/** Mails a fresh link to the user's current address, in their language (waitUntil-safe: never throws). */
export async function sendVerification(db: Db, cfg: Config, user: { id: number; username: string; email: string }): Promise<void> {
  try {
    const token = randomToken(32); // 256 random bits
    await db.insert(emailVerifications).values({
      userId: user.id,
      email: user.email,
      tokenHash: await sha256Hex(token),
      expiresAt: new Date(clock.now() + VERIFY_TTL_MS).toISOString(),
      createdAt: isoNow(),
    });
    const saved = await db.select({ language: userConfigs.language }).from(userConfigs).where(eq(userConfigs.userId, user.id)).get();
    const link = `${cfg.APP_URL.replace(/\/$/, "")}/verify-email?token=${token}`;
    await mailSender(cfg).send({ to: user.email, ...VERIFY_MAIL[saved?.language ?? "zh-CN"](user.username, link) });
  } catch (e) {
    console.error("verification mail failed", e);
  }
}

/**
 * Uses a link once: verifies the address it was mailed to if the account still has it, and switches
 * e-mail notifications on for a user who never set them (one D1 batch). 400 for a used, expired, unknown
 * or stale link.
 */
export async function verifyEmail(env: Env, token: string): Promise<void> {
  const now = isoNow();
  const used = await getDb(env)
    .update(emailVerifications)
    .set({ usedAt: now })
    .where(and(eq(emailVerifications.tokenHash, await sha256Hex(token)), isNull(emailVerifications.usedAt), gt(emailVerifications.expiresAt, now)))
    .returning({ userId: emailVerifications.userId, email: emailVerifications.email })
    .get();
  const invalid = new ApiError("invalid_verification_token", "验证链接无效、已使用或已过期");
  if (!used) throw invalid;
  const [verified] = await env.DB.batch([
    env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ? AND lower(email) = lower(?) RETURNING id").bind(used.userId, used.email),
    // Only when the address is the account's (the update above matched): e-mail on, unless already chosen.
    env.DB.prepare(
      `INSERT INTO notify_channels (user_id, kind, enabled, updated_at)
       SELECT id, 'email', 1, ? FROM users WHERE id = ? AND lower(email) = lower(?)
       ON CONFLICT (user_id, kind) DO NOTHING`,
    ).bind(now, used.userId, used.email),
  ]);
  if (!verified?.results.length) throw invalid;
}
