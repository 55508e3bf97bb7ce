import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { connect, direct, hub, type LiveClient } from "./client";

useFutureClock();

async function userWithTask() {
  const sim = installSimulator();
  const u = await registerUser("rev");
  const account = await userWithAccount(sim, u.token, [videoCourse(120)]);
  const id = await startTask(u.token, [account.courses[0]!.courseId]);
  return { ...u, id };
}

async function login(username: string, password: string): Promise<string> {
  const r = await api("POST", "/api/auth/login", { body: { username, password }, headers: { "CF-Connecting-IP": "10.9.9.9" } });
  if (r.status !== 200) throw new Error(`login: ${r.status}`);
  return r.body.access_token as string;
}

/** Both kinds of socket for one token, each past its first message. */
async function sockets(token: string, id: number): Promise<LiveClient[]> {
  const h = await hub(token);
  const d = await direct(token, id);
  await d.next();
  return [h, d];
}

async function stillOpen(c: LiveClient): Promise<void> {
  c.send('{ "type": "ping" }');
  expect(await c.until((m) => m.type === "pong")).toBeTruthy();
  expect(c.closeEvent).toBeNull();
}

describe("revoked tokens close their live sockets with 1008", () => {
  it("logout closes that token's hub and task sockets; another session of the user stays up", async () => {
    const { token, user, password, id } = await userWithTask();
    const second = await login(user.username, password);
    const mine = await sockets(token, id);
    const theirs = await sockets(second, id);
    expect((await api("POST", "/api/auth/logout", { token })).status).toBe(200);
    for (const c of mine) expect((await c.closed).code).toBe(1008);
    for (const c of theirs) await stillOpen(c);
  });

  it("a password change closes every other session's sockets, not the one that changed it", async () => {
    const { token, user, password, id } = await userWithTask();
    const other = await login(user.username, password);
    const keep = await sockets(token, id);
    const lose = await sockets(other, id);
    const r = await api("PUT", "/api/user/password", { token, body: { old_password: password, new_password: "a-new-password-9" } });
    expect(r.status).toBe(200);
    for (const c of lose) expect((await c.closed).code).toBe(1008);
    for (const c of keep) await stillOpen(c);
  });

  it("a refresh closes the old token's sockets (the client reconnects with the new one)", async () => {
    const { token, id } = await userWithTask();
    const old = await sockets(token, id);
    const r = await api("POST", "/api/auth/refresh", { token });
    expect(r.status).toBe(200);
    for (const c of old) expect((await c.closed).code).toBe(1008);
    await stillOpen(await hub(r.body.access_token));
  });

  it("an admin deactivating the account closes all of its sockets", async () => {
    const { token, user, id } = await userWithTask();
    const all = await sockets(token, id);
    const admin = await registerAdmin();
    const r = await api("PUT", `/api/admin/users/${user.id}`, { token: admin.token, body: { is_active: false } });
    expect(r.status).toBe(200);
    for (const c of all) expect((await c.closed).code).toBe(1008);
  });
});

// A demotion closes every socket of the user: one opened as admin must not go on receiving other users' tasks.
describe("a demoted admin", () => {
  it("loses every open socket (1008); reconnecting with the same token no longer reaches other users' tasks", async () => {
    const { id } = await userWithTask();
    const watcher = await registerAdmin();
    const boss = await registerAdmin();
    const h = await hub(watcher.token);
    h.send({ type: "subscribe_task", task_id: id });
    expect(await h.next()).toEqual({ type: "subscribed", task_id: id });
    const d = await direct(watcher.token, id);
    await d.next();

    const r = await api("PUT", `/api/admin/users/${watcher.user.id}`, { token: boss.token, body: { role: "user" } });
    expect(r.status).toBe(200);
    for (const c of [h, d]) {
      // A pong would mean the socket outlived the demotion; the close ends the wait at once.
      try {
        c.send('{ "type": "ping" }');
      } catch {
        // already closed on our side too
      }
      expect(await c.until((m) => m.type === "pong").then(() => "open", () => "closed")).toBe("closed");
      expect(c.closeEvent?.code).toBe(1008);
    }

    // The token itself still works; the subscription check now answers as for any other user.
    const again = await hub(watcher.token);
    again.send({ type: "subscribe_task", task_id: id });
    expect(await again.next()).toMatchObject({ type: "error" });
    expect((await connect(`/api/tasks/${id}/ws?token=${watcher.token}`)).status).toBe(404);
  });

  it("a promotion or another change leaves the user's sockets open", async () => {
    const { token, user, id } = await userWithTask();
    const boss = await registerAdmin();
    const open = await sockets(token, id);
    expect((await api("PUT", `/api/admin/users/${user.id}`, { token: boss.token, body: { role: "admin" } })).status).toBe(200);
    expect((await api("PUT", `/api/admin/users/${user.id}`, { token: boss.token, body: { email: `x${user.email}` } })).status).toBe(200);
    for (const c of open) await stillOpen(c);
  });
});

describe("token expiry", () => {
  it("the hub's alarm at the earliest expiry closes expired hub and task sockets with 1008, and re-arms for the rest", async () => {
    const { token, user, password, id } = await userWithTask();
    const early = await sockets(token, id);
    clock.advance(3600_000);
    const later = await login(user.username, password);
    const late = await sockets(later, id);
    const stub = env.HUBS.getByName(`hub:${user.id}`);

    clock.advance(86_400_000 - 3600_000 + 1000); // past the first token's expiry, not the second's
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    for (const c of early) expect((await c.closed)).toMatchObject({ code: 1008, reason: "token_expired" });
    for (const c of late) await stillOpen(c);

    clock.advance(3600_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // re-armed for the second token
    for (const c of late) expect((await c.closed).code).toBe(1008);
    // The expired token is refused at the handshake too.
    expect((await connect(`/ws/connect?token=${later}`)).status).toBe(401);
  });
});
