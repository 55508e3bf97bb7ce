import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { notify } from "../../src/notify/produce";
import { api, registerUser } from "../helpers/api";
import { installCapture, NOTIFY_QUEUE, raised, runQueue, setNotifications, taskRow, verifyEmail, type CapturedRequest } from "../helpers/notify";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

/** Written from the providers' documents, independently of src/lib/encoding.ts. */
async function hmac(key: string, message: string): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(message)));
}
const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
const hex = (u: Uint8Array) => [...u].map((b) => b.toString(16).padStart(2, "0")).join("");

const capture = installCapture();

/** A user with `channels`, a task named `name`, and one `captcha` event for it delivered through the consumer. */
async function deliverCaptcha(channels: Record<string, unknown>, name = "高等数学（上）") {
  const { token, user } = await registerUser("prov");
  // Mail goes only to a verified address: verified as its owner would, then only the event's mail is kept.
  if ("email" in channels) {
    await verifyEmail(capture.mails, user.email);
    capture.mails.length = 0;
  }
  await setNotifications(token, { channels });
  const taskId = await taskRow(user.id, name);
  const from = raised.length;
  await notify(env, { kind: "captcha", userId: user.id, taskId, occurrence: "g2" });
  const result = await runQueue(NOTIFY_QUEUE, raised.slice(from).map((body) => ({ body })));
  return { token, user, taskId, result, link: `http://localhost:8000/tasks/${taskId}` };
}

const only = (): CapturedRequest => {
  expect(capture.requests).toHaveLength(1);
  return capture.requests[0]!;
};

describe("the exact request each provider receives", () => {
  it("Server酱 Turbo: POST JSON {title, desp} to sctapi.ftqq.com/<SendKey>.send", async () => {
    const { link, result } = await deliverCaptcha({ serverchan: { enabled: true, sendkey: "SCT12345TkeyKEYkey" } });
    const r = only();
    expect(r.method).toBe("POST");
    expect(r.url).toBe("https://sctapi.ftqq.com/SCT12345TkeyKEYkey.send");
    expect(r.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body)).toEqual({
      title: "任务「高等数学（上）」需要输入验证码",
      desp: `超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。\n\n[打开任务](${link})`,
    });
    expect(result.explicitAcks).toHaveLength(1);
  });

  it("Server酱³: the uid in the key picks its host", async () => {
    await deliverCaptcha({ serverchan: { enabled: true, sendkey: "sctp12345tABCDEFkey" } });
    expect(only().url).toBe("https://12345.push.ft07.com/send/sctp12345tABCDEFkey.send");
  });

  it("PushPlus: POST JSON {token, title, content, template} to www.pushplus.plus/send", async () => {
    const { link } = await deliverCaptcha({ pushplus: { enabled: true, token: "0123456789abcdef0123456789abcdef" } });
    const r = only();
    expect([r.method, r.url]).toEqual(["POST", "https://www.pushplus.plus/send"]);
    expect(JSON.parse(r.body)).toEqual({
      token: "0123456789abcdef0123456789abcdef",
      title: "任务「高等数学（上）」需要输入验证码",
      content: `任务「高等数学（上）」需要输入验证码\n超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。\n打开任务: ${link}`,
      template: "txt",
    });
  });

  it("Bark: POST JSON {title, body, url, group} to the device URL", async () => {
    const { link } = await deliverCaptcha({ bark: { enabled: true, device_url: "https://api.day.app/DeviceKey123/" } });
    const r = only();
    expect([r.method, r.url]).toEqual(["POST", "https://api.day.app/DeviceKey123"]);
    expect(JSON.parse(r.body)).toEqual({
      title: "任务「高等数学（上）」需要输入验证码",
      body: "超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。",
      url: link,
      group: "chaoxing-edge",
    });
  });

  it("WeCom group robot: POST JSON text message to the webhook URL", async () => {
    const url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
    const { link } = await deliverCaptcha({ wecom: { enabled: true, webhook_url: url } });
    const r = only();
    expect([r.method, r.url]).toEqual(["POST", url]);
    expect(JSON.parse(r.body)).toEqual({
      msgtype: "text",
      text: { content: `任务「高等数学（上）」需要输入验证码\n超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。\n打开任务: ${link}` },
    });
  });

  it("DingTalk group robot: timestamp (ms) and sign = urlEncode(base64(HmacSHA256(secret, timestamp\\nsecret))) on the URL", async () => {
    const secret = "SEC0123456789abcdef0123456789abcdef";
    const before = clock.now();
    await deliverCaptcha({ dingtalk: { enabled: true, webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=abc123token", secret } });
    const r = only();
    const u = new URL(r.url);
    expect(`${u.origin}${u.pathname}`).toBe("https://oapi.dingtalk.com/robot/send");
    expect(u.searchParams.get("access_token")).toBe("abc123token");
    const ts = u.searchParams.get("timestamp")!;
    expect(Number(ts)).toBeGreaterThanOrEqual(before);
    expect(Number(ts)).toBeLessThanOrEqual(clock.now());
    expect(r.url).toContain(`&sign=${encodeURIComponent(b64(await hmac(secret, `${ts}\n${secret}`)))}`);
    expect(JSON.parse(r.body)).toMatchObject({ msgtype: "text", text: { content: expect.stringContaining("任务「高等数学（上）」需要输入验证码") } });
  });

  it("DingTalk without a signing secret: the webhook URL as it is", async () => {
    const url = "https://oapi.dingtalk.com/robot/send?access_token=abc123token";
    await deliverCaptcha({ dingtalk: { enabled: true, webhook_url: url } });
    expect(only().url).toBe(url);
  });

  it("Feishu group robot: timestamp (s) and sign = base64(HmacSHA256(key = timestamp\\nsecret, message = empty)) in the body", async () => {
    const secret = "feishuSecretValue0001";
    const url = "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd";
    const { link } = await deliverCaptcha({ feishu: { enabled: true, webhook_url: url, secret } });
    const r = only();
    expect([r.method, r.url]).toEqual(["POST", url]);
    const body = JSON.parse(r.body);
    expect(Math.abs(Number(body.timestamp) - clock.now() / 1000)).toBeLessThan(5);
    expect(body).toEqual({
      msg_type: "text",
      content: { text: `任务「高等数学（上）」需要输入验证码\n超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。\n打开任务: ${link}` },
      timestamp: body.timestamp,
      sign: b64(await hmac(`${body.timestamp}\n${secret}`, "")),
    });
  });

  it("generic webhook: JSON body, X-Chaoxing-Edge-Signature = sha256=hex(HMAC-SHA256(secret, timestamp.body))", async () => {
    const secret = "a-webhook-secret-of-the-user";
    const { taskId, link } = await deliverCaptcha({ webhook: { enabled: true, url: "https://hooks.example.com/cxe", secret } });
    const r = only();
    expect([r.method, r.url]).toEqual(["POST", "https://hooks.example.com/cxe"]);
    const ts = r.headers["x-chaoxing-edge-timestamp"]!;
    expect(Math.abs(Number(ts) - clock.now() / 1000)).toBeLessThan(5);
    expect(r.headers["x-chaoxing-edge-signature"]).toBe(`sha256=${hex(await hmac(secret, `${ts}.${r.body}`))}`);
    expect(r.headers["x-chaoxing-edge-event"]).toBe("captcha");
    expect(r.headers["x-chaoxing-edge-delivery"]).toBe(`task:${taskId}:captcha:g2`);
    expect(JSON.parse(r.body)).toEqual({
      id: `task:${taskId}:captcha:g2`,
      event: "captcha",
      task_id: taskId,
      task_name: "高等数学（上）",
      title: "任务「高等数学（上）」需要输入验证码",
      text: "超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。",
      link,
      language: "zh-CN",
      occurred_at: expect.any(String),
    });
  });

  it("e-mail: the account's address, subject and text with the link", async () => {
    const { user, link } = await deliverCaptcha({ email: { enabled: true } });
    expect(capture.requests).toHaveLength(0);
    expect(capture.mails).toEqual([
      {
        to: user.email,
        subject: "[学习通助手] 任务「高等数学（上）」需要输入验证码",
        text: `任务「高等数学（上）」需要输入验证码\n超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。\n打开任务: ${link}`,
      },
    ]);
  });

  it("every enabled channel gets the event, once each; the task page lists them as sent", async () => {
    const { token, taskId } = await deliverCaptcha({
      bark: { enabled: true, device_url: "https://api.day.app/k1234567" },
      wecom: { enabled: true, webhook_url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef" },
      pushplus: { enabled: false, token: "0123456789abcdef" },
    });
    expect(capture.requests.map((r) => new URL(r.url).hostname).sort()).toEqual(["api.day.app", "qyapi.weixin.qq.com"]);
    const list = (await api("GET", `/api/tasks/${taskId}/notifications`, { token })).body;
    expect(list[0].deliveries).toEqual([
      expect.objectContaining({ channel: "bark", status: "sent", attempts: 1, http_status: 200 }),
      expect.objectContaining({ channel: "wecom", status: "sent", attempts: 1, http_status: 200, excerpt: '{"errcode":0,"errmsg":"ok"}' }),
    ]);
  });
});

describe("messages in the user's language", () => {
  it("English, with the task's name and link; completed with items left says how many need the user", async () => {
    const { token, user } = await registerUser("lang");
    await api("PUT", "/api/user/config", { token, body: { language: "en" } });
    await setNotifications(token, { channels: { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } } });
    const taskId = await taskRow(user.id, "Calculus I");
    const from = raised.length;
    await notify(env, { kind: "completed", userId: user.id, taskId, occurrence: "g9", detail: { left: 3 } });
    await notify(env, { kind: "failed", userId: user.id, taskId, occurrence: "g10", detail: { error: "Chaoxing keeps failing" } });
    await runQueue(NOTIFY_QUEUE, raised.slice(from).map((body) => ({ body })));
    const [done, failed] = capture.requests.map((r) => JSON.parse(r.body));
    expect(done).toMatchObject({ title: "Task “Calculus I” completed, 3 items need you", url: `http://localhost:8000/tasks/${taskId}` });
    expect(failed).toMatchObject({ title: "Task “Calculus I” failed", body: expect.stringContaining("Reason: Chaoxing keeps failing.") });
  });
});
