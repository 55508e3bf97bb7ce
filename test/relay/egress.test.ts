import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Perform } from "../../relay/src/session";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { clock } from "../../src/lib/clock";
import { relayTransport } from "../../src/relay/transport";
import { MAX_REQUEST_BODY_BYTES, MAX_RESPONSE_BODY_BYTES } from "../../src/shared/relay-wire";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { eventually, pairRelay, relayStub, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

/**
 * The simulator as the agent's network, and every direct Chaoxing call from the Worker counted (and
 * refused, unless a test has a user who chose direct).
 */
function setup(allowDirect = false) {
  const sim = installSimulator();
  const direct: { url: string; at: number }[] = [];
  setTransportOverride({
    fetch: async (req) => {
      direct.push({ url: req.url, at: clock.now() });
      if (!allowDirect) throw new Error("a direct Chaoxing call while the user chose the relay");
      return sim.app.fetch(req);
    },
  });
  return { sim, direct };
}

async function relayUser(sim: InstalledSimulator, courses = [videoCourse(120)]) {
  const u = await registerUser("egress");
  await useRelay(u.token);
  const relay = await pairRelay(u.token);
  const account = await userWithAccount(sim, u.token, courses);
  return { ...u, ...relay, account };
}

describe("Chaoxing traffic through the user's relay agent", () => {
  it("a task runs to completion with every request performed by the agent, none direct", async () => {
    const { sim, direct } = setup();
    const u = await relayUser(sim);
    const agent = await TestAgent.online(u.credential, simPerform(sim));
    const id = await startTask(u.token, [u.account.courses[0]!.courseId]);
    const done = await driveUntil(id, (l) => l.status !== "running");
    expect(done.status).toBe("completed");
    expect(direct).toEqual([]);
    expect(agent.seen.length).toBeGreaterThan(5);
    const hosts = new Set(agent.seen.map((r) => r.url.hostname));
    expect(hosts).toContain("passport2.chaoxing.com");
    expect(hosts).toContain("mooc1.chaoxing.com");
    expect(agent.seen.some((r) => r.url.pathname.includes("/multimedia/log/"))).toBe(true);
    const list = await api("GET", "/api/relays", { token: u.token });
    expect(list.body.relays[0].requests_today).toBe(agent.seen.length);
  });

  it("with the relay down: no fallback to direct; the task pauses relay_offline and resumes by itself when an agent connects", async () => {
    const { sim, direct } = setup();
    const u = await relayUser(sim);
    const agent = await TestAgent.online(u.credential, simPerform(sim));
    const id = await startTask(u.token, [u.account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 0);
    await agent.stop();

    const paused = await driveUntil(id, (l) => l.status !== "running");
    expect(paused).toMatchObject({ status: "paused", reason: "relay_offline" });
    expect(direct).toEqual([]);
    const row = await env.DB.prepare("SELECT status, reason FROM tasks WHERE id = ?").bind(id).first();
    expect(row).toEqual({ status: "paused", reason: "relay_offline" });
    const logs = await api("GET", `/api/tasks/${id}/logs`, { token: u.token });
    expect(logs.body.some((l: { message: string }) => l.message.includes("没有在线的中继"))).toBe(true);
    // What the user clicks fails too, with a code the dashboard explains; still nothing direct.
    const courses = await api("GET", "/api/courses/list?refresh=true", { token: u.token });
    expect(courses.status).toBe(502);
    expect(courses.body.code).toBe("relay_offline");
    expect(direct).toEqual([]);
    // Paused means no alarm: nothing polls while the relay is away.
    expect(await tick()).toBe(false);

    const back = await TestAgent.online(u.credential, simPerform(sim));
    const resumed = await eventually(() => taskLive(id), (l) => l?.status === "running");
    expect(resumed).toMatchObject({ status: "running", reason: null });
    const done = await driveUntil(id, (l) => l.status !== "running");
    expect(done.status).toBe("completed");
    expect(back.seen.length).toBeGreaterThan(0);
    expect(direct).toEqual([]);
  });

  it("one account keeps to one agent while it stays online, and moves to another when it drops", async () => {
    const { sim } = setup();
    const u = await relayUser(sim);
    const second = await pairRelay(u.token, "second");
    const a = await TestAgent.online(u.credential, simPerform(sim));
    const b = await TestAgent.online(second.credential, simPerform(sim));
    for (let i = 0; i < 3; i++) expect((await api("GET", "/api/courses/list?refresh=true", { token: u.token })).status).toBe(200);
    const [used, idle] = a.seen.length > 0 ? [a, b] : [b, a];
    expect(used.seen.length).toBeGreaterThan(3);
    expect(idle.seen).toEqual([]);
    await used.stop();
    // A forced refresh reaches Chaoxing at most once a minute; the next one is past that.
    clock.advance(61_000);
    expect((await api("GET", "/api/courses/list?refresh=true", { token: u.token })).status).toBe(200);
    expect(idle.seen.length).toBeGreaterThan(0);
  });
});

describe("an account shared by two users", () => {
  it("sends each user's traffic only their own way, and shares the one video lock in turns", async () => {
    const { sim, direct } = setup(true);
    const a = await relayUser(sim);
    const viaAgent: { url: string; at: number }[] = [];
    const agent = await TestAgent.online(a.credential, (req) => (viaAgent.push({ url: req.url.href, at: clock.now() }), simPerform(sim)(req)));
    const b = await registerUser("egress");
    await api("PUT", "/api/user/config", { token: b.token, body: { cx_username: a.account.phone, cx_password: a.account.password } });
    const taskA = await startTask(a.token, [a.account.courses[0]!.courseId]);
    await driveUntil(taskA, (l) => l.item_current_time > 0);
    // B's click (the course list behind creating a task) goes out B's own way, at once.
    const taskB = await startTask(b.token, [a.account.courses[0]!.courseId]);
    expect(direct.length).toBeGreaterThan(0);
    const waiting = await driveUntil(taskB, (l) => l.reason === "waiting_for_account");
    expect(waiting.queue_position).toBe(1);
    expect((await driveUntil(taskA, (l) => l.status !== "running")).status).toBe("completed");
    expect((await driveUntil(taskB, (l) => l.status !== "running")).status).toBe("completed");
    // A's requests all went through A's agent, B's all direct; never a report of one during the other's video.
    const reportsA = viaAgent.filter((r) => r.url.includes("/multimedia/log/")).map((r) => r.at);
    const reportsB = direct.filter((r) => r.url.includes("/multimedia/log/")).map((r) => r.at);
    expect(reportsA.length).toBeGreaterThan(0);
    expect(reportsB.length).toBeGreaterThan(0);
    expect(Math.max(...reportsA)).toBeLessThan(Math.min(...reportsB));
    expect(agent.seen.length).toBe(viaAgent.length);
  });
});

describe("the agent's own rules: a compromised deployment cannot use it as an open proxy", () => {
  async function agentOf(perform: Perform) {
    const u = await registerUser("rules");
    const relay = await pairRelay(u.token);
    const agent = await TestAgent.online(relay.credential, perform);
    return { u, agent, forward: (url: string, extra: { method?: string; body?: Uint8Array } = {}) =>
      relayStub(u.user.id).forward("acct:rules", { method: extra.method ?? "GET", url, headers: [["accept", "*/*"]], body: extra.body ?? null }) };
  }
  const ok: Perform = async () => ({ status: 200, headers: [["content-type", "text/plain"]], body: new TextEncoder().encode("ok") });

  it("refuses a host that is not Chaoxing's, another port, plain HTTP and other methods, without fetching anything", async () => {
    const { agent, forward } = await agentOf(ok);
    expect(await forward("https://evil.example.com/steal")).toMatchObject({ ok: false, offline: false, code: "host_not_allowed" });
    expect(await forward("https://chaoxing.com.evil.example/")).toMatchObject({ ok: false, code: "host_not_allowed" });
    expect(await forward("https://mooc1.chaoxing.com:8443/")).toMatchObject({ ok: false, code: "host_not_allowed" });
    expect(await forward("http://mooc1.chaoxing.com/mooc-ans/knowledge/cards")).toMatchObject({ ok: false, code: "scheme_not_allowed" });
    expect(await forward("http://127.0.0.1:8001/__sim/state")).toMatchObject({ ok: false, code: "scheme_not_allowed" });
    expect(await forward("https://mooc1.chaoxing.com/", { method: "PUT" })).toMatchObject({ ok: false, code: "method_not_allowed" });
    expect(agent.seen).toEqual([]);
    expect(agent.events.map((e) => e.refused)).toEqual(["host_not_allowed", "host_not_allowed", "host_not_allowed", "scheme_not_allowed", "scheme_not_allowed", "method_not_allowed"]);
    expect(await forward("https://mooc1-2.chaoxing.com/ok")).toMatchObject({ ok: true, status: 200 });
  });

  it("refuses a request body over the cap, and a response over the cap", async () => {
    let big = false;
    const { agent, forward } = await agentOf(async (req) => (big ? { status: 200, headers: [], body: new Uint8Array(MAX_RESPONSE_BODY_BYTES + 1) } : ok(req)));
    expect(await forward("https://passport2.chaoxing.com/fanyalogin", { method: "POST", body: new Uint8Array(MAX_REQUEST_BODY_BYTES + 1) })).toMatchObject({ ok: false, code: "request_too_large" });
    expect(agent.seen).toEqual([]);
    big = true;
    expect(await forward("https://mooc1.chaoxing.com/big")).toMatchObject({ ok: false, code: "response_too_large" });
  });

  it("returns a redirect as it is, Location and every Set-Cookie line, and bodies larger than one WebSocket message intact", async () => {
    const body = new Uint8Array(1_500_000).map((_, i) => i % 251);
    const { u } = await agentOf(async (req) =>
      req.url.pathname === "/login"
        ? { status: 302, headers: [["location", "https://passport2.chaoxing.com/login?refer=x"], ["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2; Path=/"]], body: new Uint8Array() }
        : { status: 200, headers: [["content-type", "application/octet-stream"]], body },
    );
    const t = relayTransport(env, u.user.id, "acct:rules");
    const redirect = await t.fetch(new Request("https://mooc1.chaoxing.com/login", { redirect: "manual" }));
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe("https://passport2.chaoxing.com/login?refer=x");
    expect(redirect.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const large = new Uint8Array(await (await t.fetch(new Request("https://mooc1.chaoxing.com/large"))).arrayBuffer());
    expect(large.length).toBe(body.length);
    expect(large.every((b, i) => b === body[i])).toBe(true);
  });

  it("with no agent online the transport fails as relay_offline", async () => {
    const u = await registerUser("rules");
    await expect(relayTransport(env, u.user.id, "acct:none").fetch(new Request("https://mooc1.chaoxing.com/"))).rejects.toMatchObject({ kind: "relay_offline" });
  });
});
