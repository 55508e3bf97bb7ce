import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { raised } from "../helpers/notify";
import { pairRelay, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/**
 * What the relay object tells the user's tasks (README "Egress"): the moment their last agent goes, and
 * when an agent of a protocol this deployment does not speak knocks. Nothing here runs a task's alarm
 * between the event and the check: the task hears it from the relay object, not from its next call.
 */

/** Bounded wait (real time) for what the relay object does after answering. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const eventsOf = (taskId: number) => raised.filter((m) => m.task_id === taskId);

describe("the relay object tells the user's tasks", () => {
  it("when the last agent disconnects, a running relay task pauses at once (relay_offline), with one notification", async () => {
    const sim = installSimulator();
    setTransportOverride({ fetch: async () => { throw new Error("a direct Chaoxing call while the user chose the relay"); } });
    const u = await registerUser("lost");
    await useRelay(u.token);
    const relay = await pairRelay(u.token);
    const account = await userWithAccount(sim, u.token, [videoCourse(600)]);
    const agent = await TestAgent.online(relay.credential, simPerform(sim));
    const id = await startTask(u.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 0);
    await agent.stop();
    const live = await eventually(() => taskLive(id), (l) => l?.status === "paused");
    expect(live).toMatchObject({ status: "paused", reason: "relay_offline" });
    const row = await eventually(() => env.DB.prepare("SELECT status, reason FROM tasks WHERE id = ?").bind(id).first(), (r) => r?.status === "paused");
    expect(row).toEqual({ status: "paused", reason: "relay_offline" });
    expect(await eventually(async () => eventsOf(id).map((e) => e.kind), (k) => k.length > 0)).toEqual(["relay_offline"]);
    // Back online: it goes on by itself.
    await TestAgent.online(relay.credential, simPerform(sim));
    expect(await eventually(() => taskLive(id), (l) => l?.status === "running")).toMatchObject({ status: "running", reason: null });
  });

  it("an agent of a protocol this deployment does not speak is refused at the handshake with its own code; running relay tasks pause once (relay_outdated), one notification, however often it knocks", async () => {
    const sim = installSimulator();
    const u = await registerUser("skew");
    const account = await userWithAccount(sim, u.token, [videoCourse(600)]);
    // Started on direct egress (allowed in this suite), then the user switches to the relay with none online.
    const id = await startTask(u.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 0);
    await useRelay(u.token);
    const relay = await pairRelay(u.token);

    for (let knock = 0; knock < 3; knock++) {
      const refused = await TestAgent.connect(relay.credential, simPerform(sim), { "X-Relay-Protocol": "99", "X-Relay-Version": "9.0.0" });
      expect(refused).toMatchObject({ status: 426, body: { code: "relay_outdated" } });
      expect((refused as { body: { detail: string } }).body.detail).toContain("/relay/install.sh");
      const live = await eventually(() => taskLive(id), (l) => l?.status === "paused");
      expect(live).toMatchObject({ status: "paused", reason: "relay_outdated" });
    }
    expect(await eventually(async () => eventsOf(id).map((e) => e.kind), (k) => k.length > 0)).toEqual(["relay_outdated"]);
    const logs = await api("GET", `/api/tasks/${id}/logs`, { token: u.token });
    expect(logs.body.filter((l: { code: string }) => l.code === "wait.relay_outdated")).toHaveLength(1);

    // The Relay page says which relay needs an update.
    const list = await api("GET", "/api/relays", { token: u.token });
    expect(list.body.relays).toEqual([expect.objectContaining({ id: relay.relayId, online: false, needs_update: true, version: "9.0.0" })]);
    expect(list.body.install_commands.sh).toContain("/relay/install.sh");

    // An agent of this deployment's protocol is accepted, and the task goes on.
    await TestAgent.online(relay.credential, simPerform(sim));
    expect(await eventually(() => taskLive(id), (l) => l?.status === "running")).toMatchObject({ status: "running" });
    const after = await api("GET", "/api/relays", { token: u.token });
    expect(after.body.relays[0]).toMatchObject({ online: true, needs_update: false });
  });

  it("a refused agent beside one that is online pauses nothing", async () => {
    const sim = installSimulator();
    const u = await registerUser("beside");
    await useRelay(u.token);
    const good = await pairRelay(u.token, "good");
    const old = await pairRelay(u.token, "old");
    const account = await userWithAccount(sim, u.token, [videoCourse(600)]);
    await TestAgent.online(good.credential, simPerform(sim));
    const id = await startTask(u.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 0);
    expect(await TestAgent.connect(old.credential, simPerform(sim), { "X-Relay-Protocol": "0" })).toMatchObject({ status: 426 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await taskLive(id)).toMatchObject({ status: "running" });
    expect(eventsOf(id)).toEqual([]);
  });
});

describe("agents from before the live-replay and account hosts", () => {
  // Their allow-list lacks zhibo (live replays) and sso (whose account a QR login opened): they would
  // refuse those calls, so they are refused at the handshake and told to update instead.
  for (const [what, headers] of [["the first release (no protocol header)", {}], ["1.1.0 (protocol 1)", { "X-Relay-Protocol": "1", "X-Relay-Version": "1.1.0" }]] as const) {
    it(`${what} is refused with relay_outdated and the install line`, async () => {
      const sim = installSimulator();
      const u = await registerUser("old");
      await useRelay(u.token);
      const relay = await pairRelay(u.token);
      const refused = await TestAgent.connect(relay.credential, simPerform(sim), { "X-Relay-Protocol": "", ...headers });
      expect(refused).toMatchObject({ status: 426, body: { code: "relay_outdated" } });
      const list = await api("GET", "/api/relays", { token: u.token });
      expect(list.body.relays[0]).toMatchObject({ online: false, needs_update: true });
    });
  }
});

describe("starting a task on relay egress", () => {
  it("with no relay online is refused at once (409 relay_required, a link to the Relay page), and the task stays as it was", async () => {
    const sim = installSimulator();
    const u = await registerUser("norelay");
    await useRelay(u.token);
    const account = await userWithAccount(sim, u.token, [videoCourse(60)]);
    const relay = await pairRelay(u.token);
    // Creating a task reads the course list, through the relay; then the relay goes.
    const first = await TestAgent.online(relay.credential, simPerform(sim));
    const created = await api("POST", "/api/tasks", { token: u.token, body: { name: "无中继", course_ids: [account.courses[0]!.courseId] } });
    expect(created.status).toBe(201);
    await first.stop();
    await eventually(() => api("GET", "/api/relays", { token: u.token }), (r) => r.body.relays[0].online === false);
    const started = await api("POST", `/api/tasks/${created.body.id}/start`, { token: u.token });
    expect(started.status).toBe(409);
    expect(started.body).toMatchObject({ code: "relay_required", link: "/relay" });
    expect(started.body.detail).toContain("中继");
    expect((await api("GET", `/api/tasks/${created.body.id}`, { token: u.token })).body.status).toBe("pending");
    // With an agent online the same click starts it.
    await TestAgent.online(relay.credential, simPerform(sim));
    expect((await api("POST", `/api/tasks/${created.body.id}/start`, { token: u.token })).status).toBe(200);
  });
});
