import { config } from "../config";
import { getDb } from "../db/client";
import type { Credentials } from "../durable/account";
import { accountName } from "../durable/account";
import type { Course } from "../chaoxing/types";
import type { SealedCredentials } from "../durable/task";
import type { OpError, OpName, Reply } from "../durable/account-ops";
import { ApiError } from "../lib/errors";
import { QR_PAGE } from "../shared/links";
import { open } from "../lib/secretbox";
import { loadConfig } from "../users/config";

/** The user's saved Chaoxing account, password still sealed (none when bound by QR); 400 when none is saved. */
export async function savedCredentials(env: Env, userId: number): Promise<SealedCredentials> {
  const cfg = await loadConfig(getDb(env), userId);
  if (cfg.cxUsername && cfg.cxLogin === "qr") return { phone: cfg.cxUsername, sealedPassword: null };
  if (!cfg.cxUsername || !cfg.cxPasswordEnc) throw new ApiError("no_chaoxing_account", "请先配置超星账号");
  return { phone: cfg.cxUsername, sealedPassword: cfg.cxPasswordEnc };
}

export async function unsealed(env: Env, userId: number, c: SealedCredentials): Promise<Credentials> {
  const password = c.sealedPassword === null ? null : await open(c.sealedPassword, config(env).CX_ENCRYPTION_KEY, `user:${userId}`);
  return { phone: c.phone, password, userId };
}

/** The user's own binding of the phone (src/durable/account.ts). */
export const accountStub = (env: Env, creds: Pick<Credentials, "userId" | "phone">) => env.ACCOUNTS.getByName(accountName(creds.userId, creds.phone));

/**
 * Chaoxing's failure as our error: its login refusal is the user's 400, a throttle (Chaoxing's 429, or
 * the account object holding back logins) our 429 with its wait, anything else upstream's 502.
 */
export function upstreamError(e: OpError): ApiError {
  // No relay online is a 502 like any way out to Chaoxing that failed; its own code lets the dashboard say
  // what to do (start the agent, or reinstall an outdated one).
  if (e.kind === "relay_offline" || e.kind === "relay_outdated") return new ApiError("relay_offline", e.message);
  if (e.kind === "login_required") return new ApiError("chaoxing_login_required", e.message, { link: QR_PAGE });
  if (e.kind === "login_failed") return new ApiError("chaoxing_login_failed", `登录超星失败: ${e.reason ?? e.message}`);
  if (e.kind === "rate_limited") return new ApiError("rate_limited", e.message, { retryAfter: Math.max(1, Math.ceil((e.retryAfterMs ?? 60_000) / 1000)) });
  if (e.kind === "captcha") return new ApiError("upstream_failed", "超星要求输入验证码，请稍后再试");
  return new ApiError("upstream_failed", `超星服务异常: ${e.message}`);
}

export function valueOf<K extends OpName>(r: Reply<K>): Extract<Reply<K>, { ok: true }>["value"] {
  if (r.ok) return r.value;
  if ("error" in r) throw upstreamError(r.error);
  throw new ApiError("rate_limited", "超星请求过于频繁，请稍后再试", { retryAfter: Math.ceil(r.waitMs / 1000) });
}

/** The user's Chaoxing courses (cached briefly by the account object). */
export async function listUserCourses(env: Env, creds: Credentials, refresh = false): Promise<Course[]> {
  return valueOf<"courses">((await accountStub(env, creds).courses(creds, refresh)) as Reply<"courses">);
}
