import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { pairRelay, TestAgent } from "../helpers/relay";
import { installSimulator, useFutureClock } from "../helpers/sim";
import { simPerform } from "../helpers/relay";

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
    const secret = credential.replace(/^cxr1_\d+_/, "");
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
  { method: "GET", path: "/api/user/limits" },
  { method: "PUT", path: "/api/user/limits", body: { daily_cap_minutes: 60 } },
]);
