import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach } from "vitest";
import worker from "../../src/index";
import { setMailSenderOverride, type Mail } from "../../src/lib/mail";
import { setNotifyProducerOverride, type NotifyMessage } from "../../src/notify/produce";
import { setNotifySenderOverride } from "../../src/notify/sender";
import { api } from "./api";

export const NOTIFY_QUEUE = "chaoxing-edge-notify";
export const NOTIFY_DLQ = "chaoxing-edge-notify-dlq";

/** Events raised in this test file, in order (test/setup.ts captures them instead of queueing them). */
export const raised: NotifyMessage[] = [];

export function captureRaised(): void {
  setNotifyProducerOverride({ send: async (m) => void raised.push(structuredClone(m)) });
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Answer = (req: CapturedRequest, n: number) => Response | Promise<Response>;

/** What each provider answers when it accepts a message (their documented success bodies). */
function accepted(req: CapturedRequest): Response {
  const host = new URL(req.url).hostname;
  const json = (b: unknown) => Response.json(b);
  if (host === "sctapi.ftqq.com" || host.endsWith(".push.ft07.com")) return json({ code: 0, message: "", data: { pushid: "1", readkey: "r", error: "SUCCESS", errno: 0 } });
  if (host === "www.pushplus.plus") return json({ code: 200, msg: "请求成功", data: "075074e3c17e449e9a0cb79cc6f3fc83" });
  if (host === "api.day.app") return json({ code: 200, message: "success", timestamp: 1767225600 });
  if (host === "qyapi.weixin.qq.com" || host === "oapi.dingtalk.com") return json({ errcode: 0, errmsg: "ok" });
  if (host === "open.feishu.cn") return json({ code: 0, msg: "success", data: {} });
  return new Response("ok");
}

/**
 * The in-process capture server standing in for every provider: records each request exactly as it
 * left the sender and answers with `answer` (default: the provider's success body). Installed before
 * each test of the calling `describe` (fresh records, default answers) and removed after it.
 */
export function installCapture(answer?: Answer) {
  const requests: CapturedRequest[] = [];
  const mails: Mail[] = [];
  let respond: Answer = answer ?? accepted;
  beforeEach(() => {
    requests.length = 0;
    mails.length = 0;
    respond = answer ?? accepted;
    setNotifySenderOverride({
      async fetch(req) {
        const c: CapturedRequest = { method: req.method, url: req.url, headers: Object.fromEntries(req.headers), body: await req.text() };
        requests.push(c);
        return respond(c, requests.length);
      },
    });
    setMailSenderOverride({ send: async (m) => void mails.push(m) });
  });
  afterEach(() => {
    setNotifySenderOverride(null);
    setMailSenderOverride(null);
  });
  return {
    requests,
    mails,
    respond(a: Answer) {
      respond = a;
    },
    accepted,
  };
}

export interface QueueResult {
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

let seq = 0;
export const messageId = () => `m${Date.now().toString(36)}${seq++}`;

/** Runs the worker's `queue()` on one batch, as the platform would, and returns its acks and retries. */
export async function runQueue(queue: string, messages: { id?: string; body: NotifyMessage; attempts?: number }[]): Promise<QueueResult> {
  const batch = createMessageBatch<NotifyMessage>(
    queue,
    messages.map((m) => ({ id: m.id ?? messageId(), timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  // The pool's result lists retries without their delay: read it from the calls themselves.
  const delays = new Map<string, number | undefined>();
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    m.retry = (o?: QueueRetryOptions) => {
      delays.set(m.id, o?.delaySeconds);
      retry(o);
    };
  }
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<Env>)(batch as MessageBatch, env, ctx);
  const r = (await getQueueResult(batch, ctx)) as QueueResult;
  return { ...r, retryMessages: r.retryMessages.map((m) => ({ ...m, delaySeconds: delays.get(m.msgId) })) };
}

/** A task row for events to hang on (consumer tests need no engine behind it). */
export async function taskRow(userId: number, name = "通知测试任务"): Promise<number> {
  const now = new Date().toISOString();
  const r = await env.DB.prepare("INSERT INTO tasks (user_id, name, course_ids, created_at, updated_at) VALUES (?, ?, '[]', ?, ?) RETURNING id")
    .bind(userId, name, now, now)
    .first<{ id: number }>();
  return r!.id;
}

/** PUT /api/user/notifications, expecting success. */
export async function setNotifications(token: string, body: unknown) {
  const r = await api("PUT", "/api/user/notifications", { token, body });
  if (r.status !== 200) throw new Error(`PUT notifications: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The token of the newest verification link mailed to `email` (captured by `installCapture`). */
export function verificationToken(mails: Mail[], email: string): string {
  const mail = mails.filter((m) => m.to === email).findLast((m) => m.text.includes("/verify-email?token="));
  const token = mail && /\/verify-email\?token=([\w-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no verification link was mailed to ${email}`);
  return token;
}

/** Opens the newest verification link mailed to `email`, as the student would. */
export async function verifyEmail(mails: Mail[], email: string): Promise<void> {
  const r = await api("POST", "/api/auth/verify-email", { body: { token: verificationToken(mails, email) } });
  if (r.status !== 200) throw new Error(`verify: ${r.status} ${JSON.stringify(r.body)}`);
}
