import { z } from "zod";

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
  // Notifications (issue 15): origins allowed as targets although plain HTTP or private (a capture
  // server in development and tests; never by default), and the per-user daily cap.
  NOTIFY_ALLOWED_ORIGINS: z.string().default(""),
  NOTIFY_DAILY_CAP: z.coerce.number().int().min(1).max(1000).default(30),
  CX_PASSPORT_URL: z.string().url(),
  CX_MOOC2_URL: z.string().url(),
  CX_MOOC1_URL: z.string().url(),
  CX_MOOC1_API_URL: z.string().url(),
});

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
