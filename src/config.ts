import { z } from "zod";
import { WINDOW_RE } from "./limits/study-limits";

/** Env vars and secrets, validated once per isolate; a missing secret fails loudly, not silently. */
const ConfigSchema = z.object({
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  PASSWORD_PEPPER: z.string().min(8),
  CX_ENCRYPTION_KEY: z.string().min(40, "CX_ENCRYPTION_KEY must be 32 bytes in base64"),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
  // Production Workers cap WebCrypto PBKDF2 at 100,000 iterations; a higher value breaks every login there.
  PBKDF2_ITERATIONS: z.coerce.number().int().min(10_000).max(100_000).default(100_000),
  // Up to 10,000 so a capacity benchmark can run a thousand tasks under one user (bench/run.mjs).
  MAX_RUNNING_TASKS: z.coerce.number().int().min(1).max(10_000).default(3),
  ALLOWED_ORIGINS: z.string().default(""),
  APP_URL: z.string().default("http://localhost:8000"),
  MAIL_SENDER: z.enum(["log", "resend"]).default("log"),
  MAIL_FROM: z.string().default("chaoxing-edge <noreply@example.com>"),
  MAIL_API_URL: z.string().default("https://api.resend.com/emails"),
  MAIL_API_KEY: z.string().optional(),
  // Notifications (README "Notifications"): origins allowed as targets although plain HTTP or private (a
  // capture server in development and tests; never by default), and the per-user daily cap.
  NOTIFY_ALLOWED_ORIGINS: z.string().default(""),
  NOTIFY_DAILY_CAP: z.coerce.number().int().min(1).max(1000).default(30),
  CX_PASSPORT_URL: z.string().url(),
  CX_MOOC2_URL: z.string().url(),
  CX_MOOC1_URL: z.string().url(),
  CX_MOOC1_API_URL: z.string().url(),
  CX_ZHIBO_URL: z.string().url(),
  // Chaoxing traffic leaves through the user's relay agent, since the platform blocks data-centre addresses
  // (chaoxing-protocol.md "Where traffic comes from"); calling Chaoxing from Cloudflare's own addresses
  // ("direct") only where the operator allows it (a self-hosted deployment in China, dev).
  EGRESS_DIRECT_ALLOWED: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  // Development only (scripts/dev.mjs sets it): the local simulator's origin, which the pairing command
  // then names in the agent's `--dev-allow-loopback`. Empty everywhere else, so the flag is never shown.
  RELAY_DEV_ORIGIN: z
    .string()
    .default("")
    .refine((v) => v === "" || /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/.test(v), "RELAY_DEV_ORIGIN is one loopback origin, e.g. http://127.0.0.1:8001"),
  // Defaults of every user's Chaoxing account limits until they edit them (Asia/Shanghai times), and how
  // far they may go. Human-shaped: finished videos are reported rolled back overnight after about
  // 20–24 h of video in a day (chaoxing-protocol.md "Corrections of 2026-12" item 6).
  LIMIT_STUDY_WINDOW: z.string().regex(WINDOW_RE, "LIMIT_STUDY_WINDOW is HH:MM-HH:MM").default("08:00-23:00"),
  LIMIT_DAILY_CAP_MINUTES: z.coerce.number().int().min(1).max(1440).default(360),
  LIMIT_DAILY_CAP_MAX_MINUTES: z.coerce.number().int().min(1).max(1440).default(720),
  LIMIT_VIDEO_GAP_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  LIMIT_VIDEO_GAP_JITTER_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // Continuous media (minutes) before a break; also the longest stretch a user may set.
  LIMIT_BREAK_AFTER_MINUTES: z.coerce.number().int().min(10).max(1440).default(90),
  // How long a break lasts, drawn anew each time: "MIN-MAX" minutes.
  LIMIT_BREAK_MINUTES: z
    .string()
    .regex(/^\d{1,3}-\d{1,3}$/, "LIMIT_BREAK_MINUTES is MIN-MAX (minutes)")
    .default("10-20")
    .transform((s) => {
      const [min, max] = s.split("-").map(Number) as [number, number];
      return { min, max };
    })
    .refine((b) => b.min >= 1 && b.min <= b.max, "LIMIT_BREAK_MINUTES: 1 ≤ MIN ≤ MAX"),
}).refine((c) => c.LIMIT_DAILY_CAP_MINUTES <= c.LIMIT_DAILY_CAP_MAX_MINUTES, "LIMIT_DAILY_CAP_MINUTES must not exceed LIMIT_DAILY_CAP_MAX_MINUTES");

export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let cfg = cache.get(env);
  if (!cfg) {
    cfg = ConfigSchema.parse(env);
    cache.set(env, cfg);
  }
  return cfg;
}

export function allowedOrigins(cfg: Config): string[] {
  return cfg.ALLOWED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean).concat(new URL(cfg.APP_URL).origin);
}

/** The notification targets allowed although plain HTTP or private, as origins (`NOTIFY_ALLOWED_ORIGINS`). */
export function notifyAllowedOrigins(cfg: Config): string[] {
  return cfg.NOTIFY_ALLOWED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean).map((s) => new URL(s).origin);
}
