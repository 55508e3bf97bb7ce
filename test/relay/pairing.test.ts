import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { parseCredential } from "../../src/shared/relay-wire";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { driveUntil, taskLive, userWithAccount } from "../helpers/drive";
import { eventually, pairRelay, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

let ipSeq = 0;
const pair = (body: Record<string, unknown>) => api("POST", "/api/relays/pair", { body, headers: { "CF-Connecting-IP": `10.66.1.${ipSeq++ % 250}` } });
const newCode = async (token: string) => {
  const r = await api("POST", "/api/relays/pairing-code", { token });
  expect(r.status).toBe(201);
  return r.body as { code: string; expires_at: string; command: string; download_url: string };
};

describe("pairing a relay agent", () => {
  it("a code is short and easy to type, lives 10 minutes, and comes with the exact command", async () => {
    const { token } = await registerUser("pair");
    const c = await newCode(token);
    expect(c.code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(Date.parse(c.expires_at) - clock.now()).toBeGreaterThan(9 * 60_000);
    expect(Date.parse(c.expires_at) - clock.now()).toBeLessThanOrEqual(10 * 60_000);
    expect(c.command).toBe(`node chaoxing-relay.mjs --url http://localhost:8000 --pair ${c.code}`);
    expect(c.download_url).toBe("http://localhost:8000/relay/chaoxing-relay.mjs");
  });

  it("never shows --dev-allow-loopback unless the deployment names its development origin, and then only that origin", async () => {
    const { token } = await registerUser("pair");
    const loopback = { CX_PASSPORT_URL: "http://127.0.0.1:8001", CX_MOOC2_URL: "http://127.0.0.1:8001", CX_MOOC1_URL: "http://127.0.0.1:8001", CX_MOOC1_API_URL: "http://127.0.0.1:8001" };
    const commands = async (vars: Record<string, string>) => {
      const call = async (method: string, path: string) => {
        const ctx = createExecutionContext();
        const res = await worker.fetch(new Request(`http://localhost:8000${path}`, { method, headers: { Authorization: `Bearer ${token}` } }), { ...env, ...vars }, ctx);
        await waitOnExecutionContext(ctx);
        return (await res.json()) as { command?: string; run_command?: string };
      };
      return [(await call("POST", "/api/relays/pairing-code")).command, (await call("GET", "/api/relays")).run_command];
    };
    // Loopback Chaoxing URLs alone (a test or a misconfigured deployment) are no development.
    for (const c of await commands(loopback)) expect(c).not.toContain("--dev-allow-loopback");
    for (const c of await commands({ ...loopback, RELAY_DEV_ORIGIN: "http://127.0.0.1:8001" })) expect(c).toMatch(/ --dev-allow-loopback http:\/\/127\.0\.0\.1:8001$/);
  });

  it("exchanges a code once for a credential bound to the user; only hashes are stored", async () => {
    const { token, user } = await registerUser("pair");
    const { code } = await newCode(token);
    // Typed in lower case and without the hyphen: still the same code.
    const r = await pair({ code: code.toLowerCase().replace("-", ""), name: "宿舍电脑", version: "1.0.0" });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe("宿舍电脑");
    const credential = r.body.credential as string;
    expect(credential).toMatch(/^cxr1_\d+_[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare("SELECT * FROM relays WHERE id = ?").bind(r.body.relay_id).first<Record<string, unknown>>();
    expect(row?.user_id).toBe(user.id);
    // The secret itself may hold "_" (base64url): read it as the agent does.
    const secret = parseCredential(credential)!.secret;
    expect(JSON.stringify(row)).not.toContain(secret);
    const codes = await env.DB.prepare("SELECT code_hash FROM relay_pairing_codes WHERE user_id = ?").bind(user.id).all<{ code_hash: string }>();
    expect(JSON.stringify(codes.results)).not.toContain(code.replace("-", ""));
    const list = await api("GET", "/api/relays", { token });
    expect(list.body.relays).toMatchObject([{ id: r.body.relay_id, name: "宿舍电脑", online: false, version: "1.0.0", requests_today: 0 }]);
  });

  it("refuses a reused code", async () => {
    const { token } = await registerUser("pair");
    const { code } = await newCode(token);
    expect((await pair({ code })).status).toBe(201);
    const again = await pair({ code });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_pairing_code");
  });

  it("refuses an expired code", async () => {
    const { token } = await registerUser("pair");
    const { code } = await newCode(token);
    clock.advance(10 * 60_000 + 1000);
    const r = await pair({ code });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_pairing_code");
  });

  it("refuses a wrong code, and a new code voids the user's older unused one", async () => {
    const { token } = await registerUser("pair");
    const first = await newCode(token);
    const wrong = await pair({ code: "ABCD-EFGH" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe("invalid_pairing_code");
    await newCode(token);
    expect((await pair({ code: first.code })).status).toBe(400);
  });

  it("throttles guessing per address (429 with Retry-After)", async () => {
    const headers = { "CF-Connecting-IP": "10.66.250.1" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await api("POST", "/api/relays/pair", { body: { code: `WRNG-${i}AAA` }, headers })).status);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    const last = await api("POST", "/api/relays/pair", { body: { code: "WRNG-LAST" }, headers });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

const pairFrom = (ip: string, code: string) => api("POST", "/api/relays/pair", { body: { code }, headers: { "CF-Connecting-IP": ip } });
const ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

describe("guessing pairing codes", () => {
  it("counts an IPv6 client by its /64: new addresses inside it give no more guesses", async () => {
    const inOne64 = ["2001:db8:66:1::1", "2001:DB8:66:1:0:0:0:abc", "2001:db8:66:1:ffff::9", ...Array.from({ length: 7 }, (_, i) => `2001:db8:66:1:${i + 1}::${i + 2}`)];
    const statuses: number[] = [];
    for (const ip of inOne64) statuses.push((await pairFrom(ip, "WRNG-AAAA")).status);
    expect(statuses).toEqual(Array(10).fill(400));
    expect((await pairFrom("2001:0db8:0066:0001:ffff:ffff:ffff:ffff", "WRNG-BBBB")).status).toBe(429);
    // Another /64 is another client.
    expect((await pairFrom("2001:db8:66:2::1", "WRNG-CCCC")).status).toBe(400);
  });

  it("a code is void after 5 wrong guesses at it (its first half right, the rest wrong)", async () => {
    const { token } = await registerUser("pair");
    const { code } = await newCode(token);
    const [head, tail] = code.split("-") as [string, string];
    const wrongTails = ALPHABET.split("").filter((ch) => !tail.startsWith(ch)).slice(0, 5).map((ch) => `${ch}${tail.slice(1)}`);
    for (const [i, wrong] of wrongTails.entries()) expect((await pairFrom(`10.66.3.${i}`, `${head}-${wrong}`)).status).toBe(400);
    const late = await pairFrom("10.66.3.99", code);
    expect(late).toMatchObject({ status: 400, body: { code: "invalid_pairing_code" } });
  });

  it("past 100 attempts in 10 minutes from all clients together, every attempt waits (429)", async () => {
    // A fresh window for this file's global counter, and another after, for the tests that follow.
    clock.advance(10 * 60_000 + 1000);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push((await pairFrom(`10.68.${i >> 6}.${i & 63}`, "WRNG-DDDD")).status);
      expect(statuses.filter((s) => s !== 400)).toEqual([]);
      const { token } = await registerUser("pair");
      const { code } = await newCode(token);
      const refused = await pairFrom("10.69.0.1", code);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    } finally {
      clock.advance(10 * 60_000 + 1000);
    }
  });
});

describe("a newly paired relay", () => {
  it("carries no traffic until its owner confirms it; confirming wakes the tasks that wait for a relay", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("confirm");
    const account = await userWithAccount(sim, token, [videoCourse(120)]);
    // The task is made and started while the user's Chaoxing calls still go direct.
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await api("POST", `/api/tasks/${id}/start`, { token })).status).toBe(200);
    await useRelay(token);
    const { relayId, credential } = await pairRelay(token, "someone's", { confirm: false });
    const agent = await TestAgent.online(credential, simPerform(sim));
    expect((await api("GET", "/api/relays", { token })).body.relays).toMatchObject([{ id: relayId, online: true, confirmed: false }]);
    const refused = await api("GET", "/api/courses/list", { token });
    expect(refused).toMatchObject({ status: 502, body: { code: "relay_offline" } });
    expect(await driveUntil(id, (l) => l.status !== "running")).toMatchObject({ status: "paused", reason: "relay_offline" });
    // A start is refused at the click: no relay that carries traffic is online.
    const later = await api("POST", "/api/tasks", { token, body: { name: "t2", course_ids: [account.courses[0]!.courseId] } });
    expect(await api("POST", `/api/tasks/${later.body.id}/start`, { token })).toMatchObject({ status: 409, body: { code: "relay_required", link: "/relay" } });
    expect(agent.seen).toEqual([]);

    // Only its owner confirms it.
    const other = await registerUser("confirm");
    expect((await api("POST", `/api/relays/${relayId}/confirm`, { token: other.token })).status).toBe(404);
    expect(agent.seen).toEqual([]);
    expect((await api("POST", `/api/relays/${relayId}/confirm`, { token })).status).toBe(200);
    expect((await api("GET", "/api/relays", { token })).body.relays).toMatchObject([{ id: relayId, online: true, confirmed: true }]);
    const resumed = await eventually(() => taskLive(id), (l) => l?.status === "running");
    expect(resumed).toMatchObject({ status: "running", reason: null });
    expect((await driveUntil(id, (l) => l.status !== "running")).status).toBe("completed");
    expect(agent.seen.length).toBeGreaterThan(0);
  });
});

describe("relay names", () => {
  it("lose control and bidi characters and are at most 32 characters, when paired and as listed", async () => {
    const { token, user } = await registerUser("name");
    const { code } = await newCode(token);
    const raw = "宿舍\u202e<script>x</script>\u0007\u200f\u2066电脑\u0085\u2028\u00ad\ufeff 🖥️ xxxxxxxxxxxxxxxxxxxxxxxxxxx";
    const r = await pair({ code, name: raw });
    expect(r.status).toBe(201);
    const clean = "宿舍<script>x</script>电脑 🖥️ xxxxxx";
    expect(r.body.name).toBe(clean);
    expect(Array.from(clean)).toHaveLength(32);
    // A name stored before this rule is shown clean too.
    await env.DB.prepare("INSERT INTO relays (user_id, name, secret_hash, frame_key_enc, created_at, confirmed_at) VALUES (?, ?, 'h', 'k', ?, ?)")
      .bind(user.id, "old\u202enc.exe", new Date(clock.now()).toISOString(), new Date(clock.now()).toISOString()).run();
    expect((await api("GET", "/api/relays", { token })).body.relays.map((x: { name: string }) => x.name)).toEqual([clean, "oldnc.exe"]);
  });
});

describe("relays per user", () => {
  it("at most 5: a sixth code or pairing is a 409 relay_cap; revoking one makes room", async () => {
    const { token, user } = await registerUser("cap");
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await pairRelay(token, `r${i}`)).relayId);
    const full = await api("POST", "/api/relays/pairing-code", { token });
    expect(full).toMatchObject({ status: 409, body: { code: "relay_cap" } });
    expect(full.body.detail).toContain("5");

    expect((await api("DELETE", `/api/relays/${ids[0]}`, { token })).status).toBe(200);
    const { code } = await newCode(token);
    // Another pairing finished meanwhile (another code of another tab): the exchange itself checks again.
    await env.DB.prepare("INSERT INTO relays (user_id, name, secret_hash, frame_key_enc, created_at) VALUES (?, 'x', 'h', 'k', ?)").bind(user.id, new Date(clock.now()).toISOString()).run();
    expect(await pair({ code })).toMatchObject({ status: 409, body: { code: "relay_cap" } });
    expect((await api("GET", "/api/relays", { token })).body.relays).toHaveLength(5);
  });
});

describe("the agent's connection", () => {
  it("is refused without a valid credential, and from a browser page", async () => {
    const { token } = await registerUser("conn");
    const { credential } = await pairRelay(token);
    const sim = installSimulator();
    const forged = credential.replace(/.$/, (ch) => (ch === "A" ? "B" : "A"));
    expect(await TestAgent.connect(forged, simPerform(sim))).toMatchObject({ status: 401 });
    expect(await TestAgent.connect("not-a-credential", simPerform(sim))).toMatchObject({ status: 401 });
    expect(await TestAgent.connect(credential, simPerform(sim), { Origin: "https://evil.example" })).toMatchObject({ status: 403 });
  });

  it("shows the relay online with its version; revoking it closes its socket at once and refuses it after", async () => {
    const { token } = await registerUser("conn");
    const { relayId, credential } = await pairRelay(token, "laptop");
    const sim = installSimulator();
    const agent = await TestAgent.online(credential, simPerform(sim));
    const list = await api("GET", "/api/relays", { token });
    expect(list.body.relays).toMatchObject([{ id: relayId, name: "laptop", online: true, version: "test-1.0" }]);
    expect(list.body.relays[0].connected_at).not.toBeNull();

    // Another user cannot revoke it.
    const other = await registerUser("conn");
    expect((await api("DELETE", `/api/relays/${relayId}`, { token: other.token })).status).toBe(404);
    expect(agent.closeEvent).toBeNull();

    expect((await api("DELETE", `/api/relays/${relayId}`, { token })).status).toBe(200);
    expect((await agent.closed).code).toBe(1008);
    expect(await TestAgent.connect(credential, simPerform(sim))).toMatchObject({ status: 401 });
    expect((await api("GET", "/api/relays", { token })).body.relays).toEqual([]);
  });

  it("a newer connection of the same relay replaces the older one (close 4001)", async () => {
    const { token } = await registerUser("conn");
    const { credential } = await pairRelay(token);
    const sim = installSimulator();
    const first = await TestAgent.online(credential, simPerform(sim));
    const second = await TestAgent.online(credential, simPerform(sim));
    expect((await first.closed).code).toBe(4001);
    expect(second.closeEvent).toBeNull();
    expect((await api("GET", "/api/relays", { token })).body.relays[0].online).toBe(true);
  });

  it("deactivating or deleting a user closes their agents' sockets at once", async () => {
    const admin = await registerAdmin();
    const sim = installSimulator();
    const [off, gone] = [await registerUser("conn"), await registerUser("conn")];
    const offAgent = await TestAgent.online((await pairRelay(off.token)).credential, simPerform(sim));
    const goneAgent = await TestAgent.online((await pairRelay(gone.token)).credential, simPerform(sim));
    expect((await api("PUT", `/api/admin/users/${off.user.id}`, { token: admin.token, body: { is_active: false } })).status).toBe(200);
    expect(await offAgent.closed).toMatchObject({ code: 1008, reason: "account_disabled" });
    expect(goneAgent.closeEvent).toBeNull();
    expect((await api("DELETE", `/api/admin/users/${gone.user.id}`, { token: admin.token })).status).toBe(200);
    expect(await goneAgent.closed).toMatchObject({ code: 1008, reason: "account_disabled" });
  });

  it("a deactivated user's relay cannot connect", async () => {
    const { token, user } = await registerUser("conn");
    const { credential } = await pairRelay(token);
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(user.id).run();
    expect(await TestAgent.connect(credential, simPerform(installSimulator()))).toMatchObject({ status: 401 });
  });
});

describe("egress choice", () => {
  it("defaults to direct where the deployment allows it (these tests), and can be set to relay", async () => {
    const { token } = await registerUser("egr");
    expect((await api("GET", "/api/relays", { token })).body).toMatchObject({ egress: "direct", direct_allowed: true, relays: [] });
    expect((await api("PUT", "/api/relays/egress", { token, body: { egress: "relay" } })).body).toEqual({ egress: "relay", direct_allowed: true });
    expect((await api("GET", "/api/relays", { token })).body.egress).toBe("relay");
    expect((await api("PUT", "/api/relays/egress", { token, body: { egress: "proxy" } })).status).toBe(400);
  });
});

authMatrix([
  { method: "GET", path: "/api/relays" },
  { method: "PUT", path: "/api/relays/egress", body: { egress: "relay" } },
  { method: "POST", path: "/api/relays/pairing-code" },
  { method: "DELETE", path: "/api/relays/1" },
  { method: "POST", path: "/api/relays/1/confirm" },
  { method: "GET", path: "/api/user/limits" },
  { method: "PUT", path: "/api/user/limits", body: { daily_cap_minutes: 60 } },
]);
