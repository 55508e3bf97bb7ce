import { clock } from "../lib/clock";
import { ChaoxingError } from "./errors";

/**
 * Maps a raw upstream response to the protocol's failure signals (chaoxing-protocol.md "Failure
 * signals" and its 2026 section). Returns null when the response is an ordinary success.
 */
export async function classifyResponse(res: Response, passportUrl: string, requestUrl: string): Promise<ChaoxingError | null> {
  const { status } = res;
  if (status >= 300 && status < 400) {
    const location = res.headers.get("Location") ?? "";
    return classifyRedirect(location, requestUrl, passportUrl, status);
  }
  // Risk control answers 202 to the session's cookie (and often to a fresh login's just the same).
  if (status === 202) return new ChaoxingError("risk_control", "超星风控：请求被拒绝 (HTTP 202)", { status });
  if (status === 429) {
    return new ChaoxingError("rate_limited", "请求过于频繁 (HTTP 429)", { status, retryAfterMs: retryAfterMs(res) });
  }
  if (status === 403) return classifyForbidden(await res.text(), requestUrl);
  if (status >= 500) return new ChaoxingError("transient", `超星服务暂时不可用 (HTTP ${status})`, { status });
  if (status !== 200) return new ChaoxingError("bad_response", `超星返回了意外的状态 (HTTP ${status})`, { status });
  return null;
}

export function classifyRedirect(location: string, base: string, passportUrl: string, status = 302): ChaoxingError {
  let target: URL | null = null;
  try {
    target = new URL(location, base);
  } catch {
    // fall through: an unparsable Location is itself a bad response
  }
  const path = target?.pathname ?? "";
  if (/antispiderShowVerify/i.test(location)) {
    // The captcha belongs to the host that redirected: its image and its answer are there.
    return new ChaoxingError("captcha", "超星要求输入验证码", { status, origin: target?.origin ?? safeOrigin(base) });
  }
  if (path.includes("/knowledge/startface")) {
    return new ChaoxingError("face_check", "该课程需要人脸识别", { status });
  }
  const passportHost = safeHost(passportUrl);
  const toPassport = target !== null && (target.host === passportHost || target.hostname.startsWith("passport"));
  if (toPassport || /^\/(login|mylogin)\b/.test(path)) {
    return new ChaoxingError("session_expired", "登录状态已失效", { status });
  }
  return new ChaoxingError("bad_response", `超星意外跳转到 ${location}`, { status });
}

/**
 * A captcha served as a body, at any status (2026-12 item 14): the verify page (【9010】… 验证码, or a link to
 * `antispiderShowVerify`); `loose` also takes a body that says `validate`, as report replies do (the 2026
 * CLI fork), but not pages, whose scripts may say it for other reasons.
 */
export function isCaptchaBody(body: string, loose = false): boolean {
  return /验证码|【9010】|antispiderShowVerify/i.test(body) || (loose && /\bvalidate/i.test(body));
}

/** The captcha error of a body served by `requestUrl`: its image and answer belong to that host. */
export const captchaError = (requestUrl: string, status: number): ChaoxingError =>
  new ChaoxingError("captcha", "超星要求输入验证码", { status, origin: safeOrigin(requestUrl) });

/**
 * 403 with `code=20` and `[restTime:N]` is the study-time cap; one whose body is a captcha (or says
 * `validate`) is a captcha; anything else is a plain refusal.
 */
export function classifyForbidden(body: string, requestUrl = ""): ChaoxingError {
  if (isCaptchaBody(body, true)) return captchaError(requestUrl, 403);
  if (/code\W{0,3}20\b/.test(body)) {
    const rest = /\[restTime:(\d+)\]/.exec(body);
    if (rest) {
      return new ChaoxingError("study_cap", "学习时长已达上限，需要休息", {
        status: 403,
        retryAfterMs: Number(rest[1]) * 1000,
      });
    }
  }
  if (body.includes("/knowledge/startface")) return new ChaoxingError("face_check", "该课程需要人脸识别", { status: 403 });
  return new ChaoxingError("forbidden", "超星拒绝了请求 (HTTP 403)", { status: 403 });
}

function retryAfterMs(res: Response): number | undefined {
  const v = res.headers.get("Retry-After");
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now());
}

/**
 * A 200 that is the login page means the session expired, exactly as a 302 to it does: the page holds the
 * login form, or points to the passport's login.
 */
export function isLoginPage(body: string, passportUrl: string): boolean {
  if (/<form\b[^>]*\bid=["']?loginForm\b/i.test(body) || body.includes("/fanyalogin")) return true;
  return body.includes("passport2.chaoxing.com/login") || body.includes(`${passportUrl}/login`);
}

function safeHost(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return "";
  }
}

function safeOrigin(u: string): string | undefined {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
}
