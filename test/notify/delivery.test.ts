import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { clock } from "../../shared/clock";
import { seal } from "../../src/lib/secretbox";
import { NOTIFY_MAX_RETRIES } from "../../src/notify/consume";
import { notify, setNotifyProducerOverride, type NotifyMessage } from "../../src/notify/produce";
import { api, registerUser } from "../helpers/api";
import { captureRaised, installCapture, messageId, NOTIFY_DLQ, NOTIFY_QUEUE, raised, runQueue, setNotifications, taskRow } from "../helpers/notify";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

const capture = installCapture();
const BARK = { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } };

async function userWith(channels: Record<string, unknown>) {
  const { token, user } = await registerUser("dlv");
  await setNotifications(token, { channels });
  return { token, userId: user.id, taskId: await taskRow(user.id) };
}

/** Raises one event and returns its queue message (as the producer captured it). */
async function raise(userId: number, taskId: number, kind: NotifyMessage["kind"] = "captcha", occurrence = "g1"): Promise<NotifyMessage> {
  const from = raised.length;
  await notify(env, { kind, userId, taskId, occurrence });
  expect(raised.length).toBe(from + 1);
  return raised[from]!;
}

const listOf = async (token: string, taskId: number) => (await api("GET", `/api/tasks/${taskId}/notifications`, { token })).body;

describe("retries and the dead letter", () => {
  it("a 5xx is retried with a growing back-off, only for the channel that failed, until it is sent", async () => {
    const { token, userId, taskId } = await userWith({ ...BARK, wecom: { enabled: true, webhook_url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef" } });
    const body = await raise(userId, taskId);
    const id = messageId();
    capture.respond((req) => (req.url.includes("day.app") ? new Response("bad gateway", { status: 502 }) : capture.accepted(req)));
    const delays: number[] = [];
    for (let attempts = 1; attempts <= 3; attempts++) {
      const r = await runQueue(NOTIFY_QUEUE, [{ id, body, attempts }]);
      expect(r.explicitAcks).toEqual([]);
      expect(r.retryMessages).toHaveLength(1);
      delays.push(r.retryMessages[0]!.delaySeconds!);
    }
    expect(delays).toEqual([60, 180, 540]);
    // WeCom took it the first time and is not sent again; Bark was tried three times.
    expect(capture.requests.filter((r) => r.url.includes("qyapi")).length).toBe(1);
    expect(capture.requests.filter((r) => r.url.includes("day.app")).length).toBe(3);
    expect((await listOf(token, taskId))[0].deliveries).toEqual([
      expect.objectContaining({ channel: "bark", status: "pending", attempts: 3, http_status: 502, excerpt: "bad gateway" }),
      expect.objectContaining({ channel: "wecom", status: "sent", attempts: 1 }),
    ]);
    capture.respond(capture.accepted);
    const ok = await runQueue(NOTIFY_QUEUE, [{ id, body, attempts: 4 }]);
    expect(ok.explicitAcks).toEqual([id]);
    expect((await listOf(token, taskId))[0].deliveries[0]).toMatchObject({ channel: "bark", status: "sent", attempts: 4, http_status: 200 });
  });

  it("429 and network errors are retried too; a 4xx or a provider's refusal is not", async () => {
    const { token, userId, taskId } = await userWith({
      ...BARK,
      dingtalk: { enabled: true, webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=tok123" },
      pushplus: { enabled: true, token: "0123456789abcdef" },
      feishu: { enabled: true, webhook_url: "https://open.feishu.cn/open-apis/bot/v2/hook/abcdef" },
    });
    capture.respond((req) => {
      const host = new URL(req.url).hostname;
      if (host === "api.day.app") return new Response("slow down", { status: 429 });
      if (host === "www.pushplus.plus") throw new TypeError("Network connection lost.");
      if (host === "open.feishu.cn") return new Response("no", { status: 404 });
      return Response.json({ errcode: 310000, errmsg: "sign not match" }); // 200, refused by DingTalk
    });
    const r = await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId) }]);
    expect(r.retryMessages).toHaveLength(1);
    const byChannel = Object.fromEntries((await listOf(token, taskId))[0].deliveries.map((d: { channel: string }) => [d.channel, d]));
    expect(byChannel.bark).toMatchObject({ status: "pending", http_status: 429 });
    expect(byChannel.pushplus).toMatchObject({ status: "pending", http_status: null, excerpt: "network error: Network connection lost." });
    expect(byChannel.feishu).toMatchObject({ status: "failed", http_status: 404 });
    expect(byChannel.dingtalk).toMatchObject({ status: "failed", http_status: 200, excerpt: '{"errcode":310000,"errmsg":"sign not match"}' });
  });

  it("after the last retry the message goes to the dead-letter queue, and what was pending is recorded dead", async () => {
    const { token, userId, taskId } = await userWith(BARK);
    const body = await raise(userId, taskId);
    const id = messageId();
    capture.respond(() => new Response("down", { status: 503 }));
    // The platform delivers a message 1 + max_retries times; each failure asks for a retry.
    for (let attempts = 1; attempts <= NOTIFY_MAX_RETRIES + 1; attempts++) {
      const r = await runQueue(NOTIFY_QUEUE, [{ id, body, attempts }]);
      expect(r.retryMessages.map((m) => m.msgId)).toEqual([id]);
    }
    expect(capture.requests).toHaveLength(NOTIFY_MAX_RETRIES + 1);
    expect((await listOf(token, taskId))[0].deliveries[0]).toMatchObject({ status: "pending", attempts: NOTIFY_MAX_RETRIES + 1 });
    // Then it arrives on the dead-letter queue (same body), whose consumer records the outcome.
    const dead = await runQueue(NOTIFY_DLQ, [{ id, body }]);
    expect(dead.explicitAcks).toEqual([id]);
    expect((await listOf(token, taskId))[0].deliveries[0]).toMatchObject({ channel: "bark", status: "dead", attempts: NOTIFY_MAX_RETRIES + 1 });
    expect(capture.requests).toHaveLength(NOTIFY_MAX_RETRIES + 1);
  });

  it("an unreadable message is dropped, not retried into the dead letters", async () => {
    const r = await runQueue(NOTIFY_QUEUE, [{ id: "junk", body: { nonsense: true } as unknown as NotifyMessage }]);
    expect(r.explicitAcks).toEqual(["junk"]);
    expect(capture.requests).toHaveLength(0);
  });
});

describe("idempotent per event", () => {
  it("a redelivered message sends nothing twice; a second message for the same event is dropped", async () => {
    const { token, userId, taskId } = await userWith(BARK);
    const first = await raise(userId, taskId, "captcha", "g4");
    const again = await raise(userId, taskId, "captcha", "g4"); // the step ran again and raised it again
    expect(again.key).toBe(first.key);
    const id = messageId();
    expect((await runQueue(NOTIFY_QUEUE, [{ id, body: first }])).explicitAcks).toEqual([id]);
    expect((await runQueue(NOTIFY_QUEUE, [{ id, body: first, attempts: 2 }])).explicitAcks).toEqual([id]); // at-least-once delivery
    const other = messageId();
    expect((await runQueue(NOTIFY_QUEUE, [{ id: other, body: again }])).explicitAcks).toEqual([other]);
    expect(capture.requests).toHaveLength(1);
    expect(await listOf(token, taskId)).toHaveLength(1);
  });

  it("while the first message of an event is retrying, a second one for the same event sends nothing", async () => {
    const { userId, taskId } = await userWith(BARK);
    const a = await raise(userId, taskId, "failed", "g7");
    const b = await raise(userId, taskId, "failed", "g7");
    const first = messageId();
    capture.respond(() => new Response("down", { status: 503 }));
    expect((await runQueue(NOTIFY_QUEUE, [{ id: first, body: a }])).retryMessages).toHaveLength(1);
    capture.respond(capture.accepted);
    const second = messageId();
    expect((await runQueue(NOTIFY_QUEUE, [{ id: second, body: b }])).explicitAcks).toEqual([second]);
    expect(capture.requests).toHaveLength(1); // only the failed try
    expect((await runQueue(NOTIFY_QUEUE, [{ id: first, body: a, attempts: 2 }])).explicitAcks).toEqual([first]);
    expect(capture.requests).toHaveLength(2);
  });
});

describe("limits", () => {
  it("at most one message per task and event kind per 10 minutes", async () => {
    const { token, userId, taskId } = await userWith(BARK);
    const other = await taskRow(userId, "另一个任务");
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "captcha", "g1") }]);
    clock.advance(9 * 60_000);
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "captcha", "g3") }]); // throttled
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "failed", "g4") }]); // another kind: sent
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, other, "captcha", "g1") }]); // another task: sent
    expect(capture.requests).toHaveLength(3);
    clock.advance(61_000);
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "captcha", "g5") }]);
    expect(capture.requests).toHaveLength(4);
    expect((await listOf(token, taskId)).map((e: { event: string; status: string }) => `${e.event}:${e.status}`)).toEqual([
      "captcha:accepted", "failed:accepted", "captcha:throttled", "captcha:accepted",
    ]);
  });

  it("a daily cap per user (NOTIFY_DAILY_CAP, Asia/Shanghai days)", async () => {
    const { token, userId } = await userWith(BARK);
    const cap = Number(env.NOTIFY_DAILY_CAP);
    // Start at a Shanghai midnight so the whole run is one day.
    const now = clock.now();
    const day = 24 * 3600_000;
    clock.advance(day - ((now + 8 * 3600_000) % day) + 1000);
    const tasks = [];
    for (let i = 0; i <= cap; i++) tasks.push(await taskRow(userId, `任务 ${i}`));
    const from = raised.length;
    for (const t of tasks) await notify(env, { kind: "completed", userId, taskId: t, occurrence: "g3" });
    await runQueue(NOTIFY_QUEUE, raised.slice(from).map((body) => ({ body })));
    expect(capture.requests).toHaveLength(cap);
    expect((await listOf(token, tasks.at(-1)!))[0].status).toBe("capped");
    expect((await api("GET", "/api/user/notifications", { token })).body.sent_today).toBe(cap);
    // The next Shanghai day starts afresh.
    clock.advance(day);
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, tasks[0]!, "failed", "g9") }]);
    expect(capture.requests).toHaveLength(cap + 1);
  });

  it("an event switched off, or no channel enabled: recorded, nothing sent", async () => {
    const { token, userId, taskId } = await userWith(BARK);
    await setNotifications(token, { events: { completed: false } });
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "completed") }]);
    await setNotifications(token, { channels: { bark: { enabled: false } }, events: { completed: true } });
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId, "failed") }]);
    expect(capture.requests).toHaveLength(0);
    expect((await listOf(token, taskId)).map((e: { status: string }) => e.status)).toEqual(["no_channel", "muted"]);
  });

  it("a target that became unsafe is refused at send time, without a request", async () => {
    const { token, userId, taskId } = await userWith({ webhook: { enabled: true, url: "https://hooks.example.com/x", secret: "0123456789abcdef" } });
    // Stored before the rules (or the allowed origins) changed: simulated by editing the ciphertext's host.
    await env.DB.prepare("UPDATE notify_channels SET secrets_enc = ? WHERE user_id = ? AND kind = 'webhook'")
      .bind(await sealedFor(userId, { url: "https://169.254.169.254/latest", secret: "0123456789abcdef" }), userId)
      .run();
    await runQueue(NOTIFY_QUEUE, [{ body: await raise(userId, taskId) }]);
    expect(capture.requests).toHaveLength(0);
    expect((await listOf(token, taskId))[0].deliveries[0]).toMatchObject({ status: "failed", http_status: null, excerpt: "不允许内网、回环或保留的 IP 地址" });
  });
});

describe("the queue binding itself", () => {
  it("a raised event goes through the real producer binding and the worker's consumer", async () => {
    const { userId, taskId } = await userWith(BARK);
    setNotifyProducerOverride(null);
    try {
      await notify(env, { kind: "completed", userId, taskId, occurrence: "g2" });
      // Delivered by the local queue broker (max_batch_timeout 1 s), not by the test.
      await vi.waitFor(() => expect(capture.requests).toHaveLength(1), { timeout: 15_000, interval: 100 });
    } finally {
      captureRaised();
    }
    expect(JSON.parse(capture.requests[0]!.body).title).toBe("任务「通知测试任务」已完成");
  });
});

function sealedFor(userId: number, secrets: Record<string, string>): Promise<string> {
  return seal(JSON.stringify(secrets), env.CX_ENCRYPTION_KEY, `notify:${userId}:webhook`);
}
