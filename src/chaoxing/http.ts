import { browserHeaders, DEFAULT_USER_AGENT } from "./browser";
import { CookieJar } from "./cookies";
import { ChaoxingError, type ChaoxingErrorKind } from "./errors";
import { captchaError, classifyResponse, isCaptchaBody, isLoginPage } from "./signals";
import { getTransport, type Transport } from "./transport";
import type { UpstreamUrls } from "./urls";

/** One immediate retry for idempotent reads; longer waits belong to the engine's alarms. */
const READ_ATTEMPTS = 2;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_FID = "1024";

export interface ChaoxingClientOptions {
  urls: UpstreamUrls;
  /** Defaults to `getTransport()` (the test/dev override, else the network). */
  transport?: Transport;
  /** The account's jar; a fresh one when absent. */
  jar?: CookieJar;
  /** The account's browser (`ChaoxingClient.userAgentFor`), for a jar that has none yet. */
  userAgent?: string;
  timeoutMs?: number;
}

/** What the request is, as Chrome would send it: a page load, an XHR (`Accept: *\/*`), or an image. */
type Kind = "page" | "xhr" | "image";

const ACCEPT: Record<Kind, string> = {
  page: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
  xhr: "*/*",
  image: "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
};

interface RequestOptions {
  kind?: Kind;
  form?: Record<string, string>;
  referer?: string;
  extraHeaders?: Record<string, string>;
  /** Safe to send twice (reads). */
  idempotent?: boolean;
  /** Return the response as it came, failure signals included. */
  raw?: boolean;
}

type Query = Record<string, string | number>;

export const qs = (q: Query): string =>
  Object.entries(q)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");

/**
 * One Chaoxing account's browser on the wire: its jar and headers, one request at a time through the
 * transport, and the failure signals every answer may carry, as ChaoxingErrors. The protocol calls are
 * the client's (client.ts).
 */
export class ChaoxingHttp {
  readonly jar: CookieJar;
  protected readonly urls: UpstreamUrls;
  /** The URL each response answered: a captcha in its body belongs to that host. */
  private readonly sentTo = new WeakMap<Response, string>();
  private readonly transport: Transport;
  private readonly timeoutMs: number;

  constructor(opts: ChaoxingClientOptions) {
    this.urls = opts.urls;
    this.transport = opts.transport ?? getTransport();
    this.jar = opts.jar ?? new CookieJar();
    this.jar.userAgent ??= opts.userAgent ?? DEFAULT_USER_AGENT;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get userAgent(): string {
    return this.jar.userAgent ?? DEFAULT_USER_AGENT;
  }

  /** The numeric user id (`userid` in reports), from `_uid` or `UID`. */
  get userId(): string | undefined {
    return this.jar.get("_uid") ?? this.jar.get("UID");
  }

  /** The school id (`k` of the media status). */
  get fid(): string {
    return this.jar.get("fid") || DEFAULT_FID;
  }

  protected requireUserId(): string {
    const uid = this.userId;
    if (!uid) throw new ChaoxingError("session_expired", "尚未登录超星");
    return uid;
  }

  /**
   * Sends one request with the account's browser headers and the jar's cookies for that URL, stores its
   * cookies, and (unless `raw`) turns failure signals into errors. Transient failures of idempotent calls
   * get one immediate retry.
   */
  protected async send(method: "GET" | "POST", url: string, opts: RequestOptions = {}): Promise<Response> {
    const attempts = opts.idempotent ? READ_ATTEMPTS : 1;
    let last: ChaoxingError | null = null;
    for (let i = 0; i < attempts; i++) {
      let res: Response;
      try {
        res = await this.withTimeout(this.transport.fetch(this.buildRequest(method, url, opts)));
      } catch (e) {
        last = e instanceof ChaoxingError ? e : new ChaoxingError("transient", `无法连接超星: ${errorText(e)}`);
        continue;
      }
      this.jar.store(res, url);
      this.sentTo.set(res, url);
      if (opts.raw) return res;
      const err = await classifyResponse(res, this.urls.passport, url);
      if (!err) return res;
      if (err.kind !== "transient") throw err;
      last = err;
    }
    throw last ?? new ChaoxingError("transient", "请求失败");
  }

  private buildRequest(method: string, url: string, opts: RequestOptions): Request {
    const headers = new Headers(browserHeaders(this.userAgent));
    headers.set("Accept", ACCEPT[opts.kind ?? "page"]);
    const cookie = this.jar.header(url);
    if (cookie) headers.set("Cookie", cookie);
    if (opts.referer) headers.set("Referer", opts.referer);
    for (const [k, v] of Object.entries(opts.extraHeaders ?? {})) headers.set(k, v);
    let body: string | undefined;
    if (opts.form) {
      headers.set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
      body = qs(opts.form);
    }
    return new Request(url, { method, headers, body, redirect: "manual" });
  }

  private withTimeout(p: Promise<Response>): Promise<Response> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ChaoxingError("transient", "请求超星超时")), this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * The body as text; a 200 that is the login page is an expired session, like the 302 to it, and one that
   * is the captcha page is a captcha, like the 302 to it (2026-12 item 14).
   */
  protected async text(res: Response, what: string, captcha = true): Promise<string> {
    let body: string;
    try {
      body = await res.text();
    } catch (e) {
      throw new ChaoxingError("transient", `读取${what}失败: ${errorText(e)}`);
    }
    if (isLoginPage(body, this.urls.passport)) throw new ChaoxingError("session_expired", "登录状态已失效（返回了登录页）", { status: res.status });
    if (captcha && isCaptchaBody(body)) throw captchaError(this.sentTo.get(res) ?? "", res.status);
    return body;
  }

  /** The body as a JSON object; anything else is `notJson` (`not_ready` where that job alone is concerned). */
  protected async json(res: Response, what: string, notJson: ChaoxingErrorKind = "bad_response", captcha = true): Promise<Record<string, unknown>> {
    const text = await this.text(res, what, captcha);
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new ChaoxingError(notJson, `${what}返回的不是 JSON`);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
