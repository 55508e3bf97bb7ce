import { NOTIFY_EVENTS } from "../../src/shared/notify";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkTarget } from "../../src/notify/target";
import { api, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { installCapture, raised, runQueue, NOTIFY_QUEUE, setNotifications, taskRow, verifyEmail } from "../helpers/notify";
import { useFutureClock } from "../helpers/sim";
import { notify } from "../../src/notify/produce";

useFutureClock();

const SECRETS = {
  sendkey: "SCT123456TabcdefSECRETKEY",
  token: "0123456789abcdefPUSHPLUSTOKEN",
  bark: "https://api.day.app/BarkDeviceKeySecret",
  wecom: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-secret-0001",
  dingtalk: "https://oapi.dingtalk.com/robot/send?access_token=dingtalk-token-secret-0001",
  dingSecret: "SECdingtalkSigningSecret0001",
  feishu: "https://open.feishu.cn/open-apis/bot/v2/hook/feishu-hook-secret-0001",
  feishuSecret: "feishuSigningSecret0001",
  webhook: "https://hooks.example.com/cxe/webhook-path-secret-0001",
  webhookSecret: "webhook-signing-secret-0001",
};
const everySecret = [
  SECRETS.sendkey, SECRETS.token, "BarkDeviceKeySecret", "wecom-key-secret-0001", "dingtalk-token-secret-0001", SECRETS.dingSecret,
  "feishu-hook-secret-0001", SECRETS.feishuSecret, "webhook-path-secret-0001", SECRETS.webhookSecret,
];
const allChannels = {
  email: { enabled: true },
  serverchan: { enabled: true, sendkey: SECRETS.sendkey },
  pushplus: { enabled: true, token: SECRETS.token },
  bark: { enabled: true, device_url: SECRETS.bark },
  wecom: { enabled: true, webhook_url: SECRETS.wecom },
  dingtalk: { enabled: true, webhook_url: SECRETS.dingtalk, secret: SECRETS.dingSecret },
  feishu: { enabled: true, webhook_url: SECRETS.feishu, secret: SECRETS.feishuSecret },
  webhook: { enabled: true, url: SECRETS.webhook, secret: SECRETS.webhookSecret },
};

const expectNoSecret = (body: unknown) => {
  const text = JSON.stringify(body);
  for (const s of everySecret) expect(text).not.toContain(s);
};

describe("notification settings", () => {
  it("start with every channel off (e-mail comes on once the address is verified) and every event on (eleven: login_required joined)", async () => {
    const { token, user } = await registerUser("nset");
    const r = await api("GET", "/api/user/notifications", { token });
    expect(r.status).toBe(200);
    expect(r.body.channels.email).toEqual({ enabled: false, verified: false, address: user.email });
    expect(r.body.channels.dingtalk).toEqual({ enabled: false, webhook_url_set: false, secret_set: false, host: null });
    expect(r.body.events).toEqual(Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, true])));
    expect(Object.keys(r.body.events)).toEqual([
      "captcha", "notopen_ask", "risk_control", "relay_offline", "relay_outdated", "completed", "failed", "rolled_back", "admin_stop", "daily_cap", "login_required",
    ]);
    expect(r.body).toMatchObject({ daily_cap: 30, sent_today: 0 });
    // The OpenAPI example shows the same events, by today's names.
    const doc = await api("GET", "/api/openapi.json");
    expect(Object.keys(doc.body.components.schemas.NotificationSettings.example.events)).toEqual([...NOTIFY_EVENTS]);
  });

  it("save secrets encrypted, answer *_set and the host, and never echo a secret", async () => {
    const { token, user } = await registerUser("nsec");
    const put = await api("PUT", "/api/user/notifications", { token, body: { channels: allChannels, events: { completed: false } } });
    expect(put.status).toBe(200);
    expect(put.body.channels).toEqual({
      email: { enabled: true, verified: false, address: user.email },
      serverchan: { enabled: true, sendkey_set: true },
      pushplus: { enabled: true, token_set: true },
      bark: { enabled: true, device_url_set: true, host: "api.day.app" },
      wecom: { enabled: true, webhook_url_set: true, host: "qyapi.weixin.qq.com" },
      dingtalk: { enabled: true, webhook_url_set: true, secret_set: true, host: "oapi.dingtalk.com" },
      feishu: { enabled: true, webhook_url_set: true, secret_set: true, host: "open.feishu.cn" },
      webhook: { enabled: true, url_set: true, secret_set: true, host: "hooks.example.com" },
    });
    expect(put.body.events.completed).toBe(false);
    expectNoSecret(put.body);
    expectNoSecret((await api("GET", "/api/user/notifications", { token })).body);
    // At rest: ciphertext only.
    const rows = (await env.DB.prepare("SELECT secrets_enc FROM notify_channels WHERE user_id = ?").bind(user.id).all<{ secrets_enc: string | null }>()).results;
    expect(rows.length).toBe(8);
    for (const r of rows) if (r.secrets_enc) expect(r.secrets_enc).toMatch(/^v1\./);
    expectNoSecret(rows);
  });

  it("keep an omitted secret, clear it with null (which switches a channel off), and refuse enabling without it", async () => {
    const { token } = await registerUser("nclr");
    await setNotifications(token, { channels: { dingtalk: allChannels.dingtalk, bark: allChannels.bark } });
    const kept = await setNotifications(token, { channels: { dingtalk: { secret: null }, bark: { enabled: false } } });
    expect(kept.channels.dingtalk).toMatchObject({ enabled: true, webhook_url_set: true, secret_set: false });
    expect(kept.channels.bark).toMatchObject({ enabled: false, device_url_set: true });
    const cleared = await setNotifications(token, { channels: { dingtalk: { webhook_url: null } } });
    expect(cleared.channels.dingtalk).toMatchObject({ enabled: false, webhook_url_set: false });
    const refused = await api("PUT", "/api/user/notifications", { token, body: { channels: { pushplus: { enabled: true } } } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: "channels.pushplus.token", message: "启用前请先填写", code: "invalid_type", params: { expected: "string" } }]);
    const webhookNoSecret = await api("PUT", "/api/user/notifications", { token, body: { channels: { webhook: { enabled: true, url: SECRETS.webhook } } } });
    expect(webhookNoSecret.body.errors[0].field).toBe("channels.webhook.secret");
    // A refused update changes nothing.
    expect((await api("GET", "/api/user/notifications", { token })).body.channels.webhook.url_set).toBe(false);
  });

  it("refuse plain HTTP, private and loopback targets and local names, however spelled", async () => {
    const { token } = await registerUser("nssrf");
    const refused = [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost:8443/x",
      "https://app.localhost/x",
      "https://printer.local/x",
      "https://metadata.internal/x",
      "https://intranet/x",
      "https://10.1.2.3/x",
      "https://172.16.0.1/x",
      "https://192.168.1.1/x",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/x",
      "https://0.0.0.0/x",
      "https://0x7f000001/x", // hex
      "https://2130706433/x", // decimal
      "https://0177.0.0.1/x", // octal
      "https://127.1/x", // short form
      "https://0x7f.0.0.1/x",
      "https://[::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://[fd00::1]/x", // ULA
      "https://[fe80::1]/x", // link-local
      "https://[64:ff9b::a00:1]/x", // NAT64 of 10.0.0.1
      "https://[::ffff:0:7f00:1]/x", // IPv4-translated 127.0.0.1 (::ffff:0:0/96)
      "https://[::ffff:0:808:808]/x", // IPv4-translated, even of a public address
      "https://[::808:808]/x", // IPv4-compatible (deprecated)
      "https://[100::1]/x", // discard-only 100::/64
      "https://[2001:db8::1]/x", // documentation 2001:db8::/32
      "https://[3fff::1]/x", // documentation 3fff::/20
      "https://[2001::1]/x", // Teredo, in IETF protocol assignments 2001::/23
      "https://[2001:2::1]/x", // benchmarking
      "https://[2002:808:808::1]/x", // 6to4 (deprecated)
      "https://[64:ff9b:1::a00:1]/x", // local-use NAT64
      "https://[5f00::1]/x", // SRv6 SIDs, outside global unicast
      "https://192.0.2.1/x", // TEST-NET-1
      "https://198.51.100.7/x", // TEST-NET-2
      "https://203.0.113.10/x", // TEST-NET-3
      "https://192.88.99.1/x", // 6to4 relay anycast (deprecated)
      "https://240.0.0.1/x", // reserved
      "https://hooks.example.com:8443/x", // another port: the test button would probe ports of public hosts
      "https://hooks.example.com:80/x",
      "https://1.1.1.1:22/x",
      "https://user:pass@hooks.example.com/x",
      "ftp://hooks.example.com/x",
      "not a url",
    ];
    for (const url of refused) {
      const r = await api("PUT", "/api/user/notifications", { token, body: { channels: { webhook: { url, secret: SECRETS.webhookSecret } } } });
      expect(r.status, url).toBe(400);
      expect(r.body.errors[0].field, url).toBe("channels.webhook.url");
    }
    for (const url of ["http://127.0.0.1:9999/cap", "https://[fd00::1]/cap"]) {
      const r = await api("PUT", "/api/user/notifications", { token, body: { channels: { bark: { device_url: url } } } });
      expect(r.status, url).toBe(400);
    }
    // Public addresses on 443 pass, IPv4 and IPv6 literals included.
    for (const url of ["https://hooks.example.com/x", "https://hooks.example.com:443/x", "https://1.1.1.1/x", "https://192.0.1.1/x", "https://[2606:4700::1111]/x", "https://[64:ff9b::808:808]/x"]) {
      const r = await api("PUT", "/api/user/notifications", { token, body: { channels: { webhook: { url, secret: SECRETS.webhookSecret } } } });
      expect(r.status, url).toBe(200);
    }
  });

  it("the group robots must point at their own service", async () => {
    const { token } = await registerUser("nrobot");
    for (const [kind, url] of [
      ["wecom", "https://hooks.example.com/cgi-bin/webhook/send?key=x"],
      ["dingtalk", "https://oapi.dingtalk.com.evil.example/robot/send?access_token=x"],
      ["feishu", "https://example.com/open-apis/bot/v2/hook/x"],
    ] as const) {
      const r = await api("PUT", "/api/user/notifications", { token, body: { channels: { [kind]: { webhook_url: url } } } });
      expect(r.status, kind).toBe(400);
      expect(r.body.errors[0].field).toBe(`channels.${kind}.webhook_url`);
    }
    expect((await api("PUT", "/api/user/notifications", { token, body: { channels: { feishu: { webhook_url: "https://open.larksuite.com/open-apis/bot/v2/hook/x" } } } })).status).toBe(200);
  });

  it("a capture server is allowed only by explicit configuration (NOTIFY_ALLOWED_ORIGINS)", () => {
    const capture = "http://127.0.0.1:9123/hook";
    expect(checkTarget(capture, [])).toMatchObject({ ok: false });
    expect(checkTarget(capture, ["http://127.0.0.1:9123"])).toMatchObject({ ok: true });
    // Another port of the same host is still refused.
    expect(checkTarget("http://127.0.0.1:9124/hook", ["http://127.0.0.1:9123"])).toMatchObject({ ok: false });
    expect(env.NOTIFY_ALLOWED_ORIGINS).toBe("");
  });

  it("validate fields with 400 naming the field; unknown keys are ignored and named", async () => {
    const { token } = await registerUser("nval");
    const bad = [
      { channels: { serverchan: { sendkey: "has spaces in it" } } },
      { channels: { webhook: { secret: "short" } } },
      { channels: { bark: { enabled: "yes" } } },
    ];
    for (const body of bad) expect((await api("PUT", "/api/user/notifications", { token, body })).status, JSON.stringify(body)).toBe(400);
    for (const [body, named] of [
      [{ channels: { slack: { enabled: true } } }, "channels.slack"],
      [{ events: { nonsense: true } }, "events.nonsense"],
    ] as const) {
      const r = await api("PUT", "/api/user/notifications", { token, body });
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.headers.get("X-Ignored-Fields")).toBe(named);
    }
  });

  it("the user's language is part of the config", async () => {
    const { token } = await registerUser("nlang");
    expect((await api("GET", "/api/user/config", { token })).body.language).toBe("zh-CN");
    expect((await api("PUT", "/api/user/config", { token, body: { language: "en" } })).body.language).toBe("en");
    expect((await api("GET", "/api/user/config", { token })).body.language).toBe("en");
    expect((await api("PUT", "/api/user/config", { token, body: { language: "fr" } })).status).toBe(400);
  });
});

describe("send a test", () => {
  const capture = installCapture();

  it("sends to the saved channel and shows the provider's answer, with the key hidden", async () => {
    const { token } = await registerUser("ntest");
    await setNotifications(token, { channels: { bark: { device_url: SECRETS.bark } } }); // not even enabled
    capture.respond((req) => Response.json({ code: 400, message: `failed to get device token: ${new URL(req.url).pathname.slice(1)}` }, { status: 400 }));
    const r = await api("POST", "/api/user/notifications/test", { token, body: { channel: "bark" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ channel: "bark", ok: false, status: 400, excerpt: '{"code":400,"message":"failed to get device token: ***"}' });
    expectNoSecret(r.body);
    const sent = capture.requests.at(-1)!;
    expect(sent.url).toBe(SECRETS.bark);
    expect(JSON.parse(sent.body)).toMatchObject({ title: "测试通知" });
    capture.respond(capture.accepted);
    expect((await api("POST", "/api/user/notifications/test", { token, body: { channel: "bark" } })).body).toMatchObject({ ok: true, status: 200 });
  });

  it("e-mail goes to the account's address, in the user's language", async () => {
    const { token, user } = await registerUser("nmail");
    await verifyEmail(capture.mails, user.email);
    await api("PUT", "/api/user/config", { token, body: { language: "en" } });
    const r = await api("POST", "/api/user/notifications/test", { token, body: { channel: "email" } });
    expect(r.body).toEqual({ channel: "email", ok: true, status: null, excerpt: "" });
    expect(capture.mails.at(-1)).toMatchObject({ to: user.email, subject: "[Chaoxing Helper] Test notification" });
  });

  it("409 for a channel not set up, 502 when the provider cannot be reached, 429 after ten", async () => {
    const { token } = await registerUser("nlim");
    expect((await api("POST", "/api/user/notifications/test", { token, body: { channel: "pushplus" } })).status).toBe(409);
    await setNotifications(token, { channels: { pushplus: { token: SECRETS.token } } });
    capture.respond(() => {
      throw new TypeError("Network connection lost.");
    });
    const down = await api("POST", "/api/user/notifications/test", { token, body: { channel: "pushplus" } });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe("upstream_failed");
    capture.respond(capture.accepted);
    for (let i = 1; i < 10; i++) expect((await api("POST", "/api/user/notifications/test", { token, body: { channel: "pushplus" } })).status).toBe(200);
    const throttled = await api("POST", "/api/user/notifications/test", { token, body: { channel: "pushplus" } });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("a task's notifications", () => {
  const capture = installCapture();

  it("are listed for the owner with each channel's outcome, 404 for anyone else, and carry no secret", async () => {
    const { token, user } = await registerUser("nlist");
    const other = await registerUser("nother");
    await verifyEmail(capture.mails, user.email);
    await setNotifications(token, { channels: allChannels });
    const taskId = await taskRow(user.id);
    const before = raised.length;
    await notify(env, { kind: "failed", userId: user.id, taskId, occurrence: "g1", detail: { error: "超星服务持续异常" } });
    // Every provider echoes what it got: the stored excerpts must still carry no secret.
    capture.respond((req) => new Response(`${req.url} ${req.body}`, { status: 200 }));
    await runQueue(NOTIFY_QUEUE, raised.slice(before).map((body) => ({ body })));
    const r = await api("GET", `/api/tasks/${taskId}/notifications`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ event: "failed", status: "accepted" });
    expect(r.body[0].deliveries.map((d: { channel: string }) => d.channel).sort()).toEqual(Object.keys(allChannels).sort());
    expectNoSecret(r.body);
    expect((await api("GET", `/api/tasks/${taskId}/notifications`, { token: other.token })).status).toBe(404);
  });
});

authMatrix([
  { method: "GET", path: "/api/user/notifications" },
  { method: "PUT", path: "/api/user/notifications", body: { events: { captcha: true } } },
  { method: "POST", path: "/api/user/notifications/test", body: { channel: "email" } },
  { method: "GET", path: "/api/tasks/1/notifications" },
]);
