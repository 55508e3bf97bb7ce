import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { notify } from "../../src/notify/produce";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { installCapture, NOTIFY_QUEUE, raised, runQueue, setNotifications, taskRow, verificationToken, verifyEmail } from "../helpers/notify";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

const capture = installCapture();
const BARK = { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } };

/** Raises a captcha event for the user's task and runs the consumer on it. */
async function captchaEvent(userId: number, taskId: number, occurrence: string) {
  const from = raised.length;
  await notify(env, { kind: "captcha", userId, taskId, occurrence });
  await runQueue(NOTIFY_QUEUE, raised.slice(from).map((body) => ({ body })));
}

const mailsTo = (to: string) => capture.mails.filter((m) => m.to === to);

describe("e-mail verification", () => {
  it("registration mails a verification link, in the language the user registered in; the address is unverified until it is opened", async () => {
    const { token, user } = await registerUser("vreg");
    const [mail] = mailsTo(user.email);
    expect(mail).toMatchObject({ subject: "学习通助手：请验证你的邮箱" });
    expect(mail!.text).toMatch(/http:\/\/localhost:8000\/verify-email\?token=[\w-]{40,}/);
    expect((await api("GET", "/api/auth/me", { token })).body.email_verified).toBe(false);

    const en = await api("POST", "/api/auth/register", {
      body: { username: `ven${Date.now().toString(36)}`, email: `ven${Date.now().toString(36)}@example.com`, password: "password123", language: "en" },
      headers: { "CF-Connecting-IP": "10.9.9.1" },
    });
    expect(en.status).toBe(201);
    expect(mailsTo(en.body.user.email)[0]).toMatchObject({ subject: "Chaoxing Helper: verify your e-mail address" });
    expect((await api("GET", "/api/user/config", { token: en.body.access_token })).body.language).toBe("en");
  });

  it("until verified, the address gets nothing but the link and the password reset: no event, no test", async () => {
    const { token, user } = await registerUser("vnone");
    await setNotifications(token, { channels: { email: { enabled: true } } });
    const settings = (await api("GET", "/api/user/notifications", { token })).body;
    expect(settings.channels.email).toEqual({ enabled: true, verified: false, address: user.email });

    const taskId = await taskRow(user.id);
    await captchaEvent(user.id, taskId, "g1");
    const list = (await api("GET", `/api/tasks/${taskId}/notifications`, { token })).body;
    expect(list).toEqual([expect.objectContaining({ event: "captcha", status: "no_channel", deliveries: [] })]);

    const test = await api("POST", "/api/user/notifications/test", { token, body: { channel: "email" } });
    expect(test.status).toBe(409);
    expect(test.body.code).toBe("email_unverified");

    expect((await api("POST", "/api/auth/forgot-password", { body: { email: user.email }, headers: { "CF-Connecting-IP": "10.9.9.2" } })).status).toBe(200);
    // The verification link, then the reset: nothing else reached the address.
    expect(mailsTo(user.email).map((m) => m.subject)).toEqual(["学习通助手：请验证你的邮箱", "chaoxing-edge 密码重置"]);
  });

  it("opening the link verifies the address and turns e-mail notifications on; the events that need the student reach it", async () => {
    const { token, user } = await registerUser("vok");
    await verifyEmail(capture.mails, user.email);
    expect((await api("GET", "/api/auth/me", { token })).body.email_verified).toBe(true);
    const settings = (await api("GET", "/api/user/notifications", { token })).body;
    expect(settings.channels.email).toEqual({ enabled: true, verified: true, address: user.email });
    for (const e of ["captcha", "risk_control", "relay_offline", "completed", "failed", "rolled_back"]) expect(settings.events[e]).toBe(true);

    const taskId = await taskRow(user.id, "高等数学（上）");
    await captchaEvent(user.id, taskId, "g1");
    expect(mailsTo(user.email).at(-1)).toMatchObject({ subject: "[学习通助手] 任务「高等数学（上）」需要输入验证码" });
  });

  it("a user who switched e-mail off before verifying keeps it off", async () => {
    const { token, user } = await registerUser("voff");
    await setNotifications(token, { channels: { email: { enabled: false } } });
    await verifyEmail(capture.mails, user.email);
    expect((await api("GET", "/api/user/notifications", { token })).body.channels.email).toEqual({ enabled: false, verified: true, address: user.email });
  });

  it("a link works once, not after it expired, and not for an address the account no longer has", async () => {
    const { token, user } = await registerUser("vonce");
    const t1 = verificationToken(capture.mails, user.email);
    expect((await api("POST", "/api/auth/verify-email", { body: { token: t1 } })).status).toBe(200);
    const again = await api("POST", "/api/auth/verify-email", { body: { token: t1 } });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_verification_token");

    // A changed address is verified again: the admin's change mails the new one; the old link is void.
    const admin = await registerAdmin();
    const newEmail = `new-${user.email}`;
    const put = await api("PUT", `/api/admin/users/${user.id}`, { token: admin.token, body: { email: newEmail } });
    expect(put.body.email_verified).toBe(false);
    const t2 = verificationToken(capture.mails, newEmail);
    await api("PUT", `/api/admin/users/${user.id}`, { token: admin.token, body: { email: `x-${user.email}` } });
    expect((await api("POST", "/api/auth/verify-email", { body: { token: t2 } })).status).toBe(400);
    expect((await api("GET", "/api/auth/me", { token })).body.email_verified).toBe(false);

    // Resent on request (to the current address); a link older than its lifetime is refused.
    expect((await api("POST", "/api/auth/verify-email/resend", { token })).status).toBe(200);
    const t3 = verificationToken(capture.mails, `x-${user.email}`);
    clock.advance(4 * 24 * 3600_000);
    try {
      expect((await api("POST", "/api/auth/verify-email", { body: { token: t3 } })).status).toBe(400);
    } finally {
      clock.advance(-4 * 24 * 3600_000);
    }
  });

  it("resending is limited, and refused once verified", async () => {
    const { token, user } = await registerUser("vres");
    for (let i = 0; i < 3; i++) expect((await api("POST", "/api/auth/verify-email/resend", { token })).status).toBe(200);
    expect((await api("POST", "/api/auth/verify-email/resend", { token })).status).toBe(429);
    await verifyEmail(capture.mails, user.email);
    const done = await api("POST", "/api/auth/verify-email/resend", { token });
    expect(done.status).toBe(409);
  });
});

describe("test notifications count in the daily cap", () => {
  it("each test is counted, and once the cap is reached a test is refused and sends nothing", async () => {
    const { token, user } = await registerUser("vcap");
    await setNotifications(token, { channels: BARK });
    const cap = Number(env.NOTIFY_DAILY_CAP);
    expect((await api("POST", "/api/user/notifications/test", { token, body: { channel: "bark" } })).status).toBe(200);
    expect((await api("GET", "/api/user/notifications", { token })).body.sent_today).toBe(1);

    // Today's other notifications up to the cap (straight into D1: the test's own limit is 10 per 10 minutes).
    const now = new Date(clock.now()).toISOString();
    for (let i = 1; i < cap; i++) {
      await env.DB.prepare("INSERT INTO notify_events (idem_key, message_id, user_id, task_id, kind, status, created_at) VALUES (?, ?, ?, NULL, 'test', 'accepted', ?)")
        .bind(`vcap:${user.id}:${i}`, `m${i}`, user.id, now)
        .run();
    }
    const sent = capture.requests.length;
    const refused = await api("POST", "/api/user/notifications/test", { token, body: { channel: "bark" } });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("notify_capped");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(capture.requests.length).toBe(sent);

    // And a task's event the same day is capped: the tests used the day's notifications.
    const taskId = await taskRow(user.id);
    await captchaEvent(user.id, taskId, "g1");
    expect((await api("GET", `/api/tasks/${taskId}/notifications`, { token })).body[0]).toMatchObject({ status: "capped" });
  });
});

authMatrix([{ method: "POST", path: "/api/auth/verify-email/resend" }]);
