import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountName } from "../../src/durable/account";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive } from "../helpers/drive";
import { raised } from "../helpers/notify";
import { pairRelay, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

/**
 * Binding a Chaoxing account by QR code (README "QR login"): the 学习通 app (the simulator's control)
 * scans and confirms; no password is typed, and none is stored in D1 or in any object's storage.
 */

const newPhone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;

/** The whole scan, as the dashboard drives it: a code, polls, the app's scan and confirmation. */
async function bindByQr(sim: InstalledSimulator, token: string, phone: string) {
  const start = await api("POST", "/api/user/config/qr", { token });
  expect(start.status).toBe(200);
  expect(start.body.image).toMatch(/^data:image\/png;base64,/);
  expect(Date.parse(start.body.expires_at)).toBeGreaterThan(Date.now());
  expect((await api("GET", "/api/user/config/qr", { token })).body).toEqual({ status: "not_scanned", nickname: null, cx_username: null });
  sim.control.qrScan(phone);
  const scanned = await api("GET", "/api/user/config/qr", { token });
  expect(scanned.body).toEqual({ status: "scanned", nickname: sim.control.account(phone).name, cx_username: null });
  sim.control.qrConfirm();
  const done = await api("GET", "/api/user/config/qr", { token });
  expect(done.body).toEqual({ status: "logged_in", nickname: sim.control.account(phone).name, cx_username: phone });
  return done;
}

/** Every D1 row of every table, as text: nothing of a password may be in it. */
async function d1Dump(): Promise<string> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
  const out: unknown[] = [];
  for (const { name } of tables.results) out.push(name, (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return JSON.stringify(out);
}

const storageOf = <T extends Rpc.DurableObjectBranded>(stub: DurableObjectStub<T>) =>
  runInDurableObject(stub, (_o, state) => Object.fromEntries([...state.storage.kv.list()].map(([k, v]) => [k, v])));

describe("a Chaoxing account bound by QR code", () => {
  it("studies with no password stored anywhere (D1, the task's and the account's storage)", async () => {
    const sim = installSimulator();
    const u = await registerUser("qr");
    const phone = newPhone();
    const account = sim.newAccount([videoCourse(120)], { phone, password: "only-the-student-knows-it" });
    await bindByQr(sim, u.token, phone);

    const cfg = await api("GET", "/api/user/config", { token: u.token });
    expect(cfg.body).toMatchObject({ cx_username: phone, cx_login: "qr", cx_password_set: false });

    const id = await startTask(u.token, [account.courses[0]!.courseId]);
    const live = await driveUntil(id, finished);
    expect(live).toMatchObject({ status: "completed", progress: 100 });
    // Studied with the scan's session: no password login ever reached the platform.
    expect(sim.control.requests().filter((r) => r.path === "/fanyalogin")).toEqual([]);

    const row = await env.DB.prepare("SELECT cx_password_enc, cx_login FROM user_configs WHERE user_id = ?").bind(u.user.id).first();
    expect(row).toEqual({ cx_password_enc: null, cx_login: "qr" });
    expect(await d1Dump()).not.toContain(account.password);

    const task = await storageOf(env.TASKS.getByName(`task:${id}`));
    expect((task.t as { creds: unknown }).creds).toEqual({ phone, sealedPassword: null });
    const binding = await storageOf(env.ACCOUNTS.getByName(accountName(u.user.id, phone)));
    // The session is vouched for as a scan's, not by a keyed hash of a password.
    expect(binding.session).toMatchObject({ v: 2, verifier: "qr" });
    expect(JSON.stringify({ task, binding })).not.toContain(account.password);
  });

  it("reports every state of the code: cancelled on the phone, expired, and nothing under way", async () => {
    const sim = installSimulator();
    const u = await registerUser("qrstates");
    const phone = newPhone();
    sim.newAccount([videoCourse(60)], { phone });
    expect((await api("GET", "/api/user/config/qr", { token: u.token })).body.status).toBe("expired");
    await api("POST", "/api/user/config/qr", { token: u.token });
    sim.control.qrScan(phone);
    sim.control.qrCancel();
    expect((await api("GET", "/api/user/config/qr", { token: u.token })).body).toEqual({ status: "cancelled", nickname: null, cx_username: null });
    await api("POST", "/api/user/config/qr", { token: u.token });
    sim.control.qrExpire();
    expect((await api("GET", "/api/user/config/qr", { token: u.token })).body.status).toBe("expired");
    // Nothing was bound.
    expect((await api("GET", "/api/user/config", { token: u.token })).body).toMatchObject({ cx_username: null, cx_login: null });
  });

  it("when the session ends, the account's tasks pause (login_required), the user is told once with the scan page's link, and one scan resumes them all", async () => {
    const sim = installSimulator();
    const u = await registerUser("qrlost");
    const phone = newPhone();
    const account = sim.newAccount([videoCourse(900, { name: "第一门" }), videoCourse(900, { name: "第二门" })], { phone });
    await bindByQr(sim, u.token, phone);
    const a = await startTask(u.token, [account.courses[0]!.courseId]);
    const b = await startTask(u.token, [account.courses[1]!.courseId]);
    await driveUntil(a, (l) => l.item_current_time > 0);

    sim.control.expireSessions(phone);
    const pausedA = await driveUntil(a, (l) => l.status === "paused");
    const pausedB = await driveUntil(b, (l) => l.status === "paused");
    expect(pausedA).toMatchObject({ status: "paused", reason: "login_required" });
    expect(pausedB).toMatchObject({ status: "paused", reason: "login_required" });
    const logs = await api("GET", `/api/tasks/${a}/logs`, { token: u.token });
    expect(logs.body.map((l: { code: string }) => l.code)).toContain("wait.login_required");

    const told = raised.filter((m) => m.user_id === u.user.id && m.kind === "login_required");
    expect(told).toHaveLength(1);
    // The message's link is the scan page, not a task's.
    const { eventNotice } = await import("../../src/notify/messages");
    const notice = eventNotice("en", { id: told[0]!.key, kind: "login_required", taskId: told[0]!.task_id, taskName: "t", detail: {}, occurredAt: told[0]!.at }, "https://app.test");
    expect(notice.link).toBe("https://app.test/settings?bind=qr");

    // A user's click meets the same ended session: 409 with the scan page's link, and still one notification.
    const courses = await api("GET", "/api/courses/list?refresh=true", { token: u.token });
    expect(courses).toMatchObject({ status: 409, body: { code: "chaoxing_login_required", link: "/settings?bind=qr" } });

    await bindByQr(sim, u.token, phone);
    expect(await taskLive(a)).toMatchObject({ status: "running", reason: null });
    expect(await taskLive(b)).toMatchObject({ status: "running" });
    const before = (await taskLive(a))!.item_current_time;
    await driveUntil(a, (l) => l.item_current_time > before);
    expect(raised.filter((m) => m.user_id === u.user.id && m.kind === "login_required")).toHaveLength(1);
  });

  it("through the user's relay: none of the scan goes out until its owner confirms the new relay, then all of it does (sso included)", async () => {
    const sim = installSimulator();
    const u = await registerUser("qrrelay");
    const phone = newPhone();
    sim.newAccount([videoCourse(60)], { phone, password: `never-typed-${phone}` });
    await useRelay(u.token);
    const relay = await pairRelay(u.token, "dorm", { confirm: false });
    const agent = await TestAgent.online(relay.credential, simPerform(sim));
    const refused = await api("POST", "/api/user/config/qr", { token: u.token });
    // As every click while no confirmed relay is online (a course list likewise): 502 relay_offline.
    expect(refused).toMatchObject({ status: 502, body: { code: "relay_offline" } });
    expect(agent.seen).toHaveLength(0);
    expect((await api("POST", `/api/relays/${relay.relayId}/confirm`, { token: u.token })).status).toBe(200);
    await bindByQr(sim, u.token, phone);
    const hosts = new Set(agent.seen.map((r) => new URL(r.url).hostname));
    expect(hosts).toEqual(new Set(["passport2.chaoxing.com", "sso.chaoxing.com"]));
  });
});
