import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../src/lib/clock";
import { api } from "./helpers/api";

/**
 * Registration from a campus (README "Registration"): a whole class behind one NAT address can sign up;
 * past a free allowance per address each sign-up costs a small proof of work, up to a NAT-sized cap.
 */

const CAMPUS = { "CF-Connecting-IP": "198.51.100.7" };
let n = 0;
const student = () => {
  n++;
  return { username: `stu${n}${Date.now().toString(36)}`, email: `stu${n}${Date.now().toString(36)}@campus.example.edu`, password: "password123" };
};

/** What the dashboard does: find a nonce whose SHA-256 with the challenge starts with `bits` zero bits. */
async function solve(challenge: string, bits: number): Promise<string> {
  if (typeof challenge !== "string" || !(bits > 0 && bits <= 24)) throw new Error(`no challenge to solve: ${challenge} ${bits}`);
  for (let i = 0; i < 2 ** 26; i++) {
    const h = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${challenge}:${i}`)));
    let zeros = 0;
    for (const b of h) {
      if (b === 0) zeros += 8;
      else {
        zeros += Math.clz32(b) - 24;
        break;
      }
    }
    if (zeros >= bits) return String(i);
  }
  throw new Error("no solution found");
}

describe("registration from one campus address", () => {
  it("ten sign up freely; the eleventh and later each solve a challenge and get in; a solution works once", async () => {
    for (let i = 0; i < 10; i++) expect((await api("POST", "/api/auth/register", { body: student(), headers: CAMPUS })).status).toBe(201);
    const asked = await api("POST", "/api/auth/register", { body: student(), headers: CAMPUS });
    expect(asked).toMatchObject({ status: 428, body: { code: "pow_required" } });

    const ch = await api("GET", "/api/auth/challenge", { headers: CAMPUS });
    expect(ch.status).toBe(200);
    expect(ch.body).toMatchObject({ challenge: expect.any(String), bits: expect.any(Number), expires_at: expect.any(String) });
    const nonce = await solve(ch.body.challenge, ch.body.bits);
    const pow = { challenge: ch.body.challenge, nonce };
    expect((await api("POST", "/api/auth/register", { body: { ...student(), pow }, headers: CAMPUS })).status).toBe(201);
    // Used once: the same solution does not let a second account in.
    expect(await api("POST", "/api/auth/register", { body: { ...student(), pow }, headers: CAMPUS })).toMatchObject({ status: 400, body: { code: "pow_invalid" } });
    // A nonce that is not a solution, or a challenge we did not sign, is refused too.
    const other = await api("GET", "/api/auth/challenge", { headers: CAMPUS });
    const wrong = await api("POST", "/api/auth/register", { body: { ...student(), pow: { challenge: other.body.challenge, nonce: "not-a-solution" } }, headers: CAMPUS });
    expect(wrong).toMatchObject({ status: 400, body: { code: "pow_invalid" } });
    const forged = await api("POST", "/api/auth/register", { body: { ...student(), pow: { challenge: other.body.challenge.replace(/.$/, (c: string) => (c === "a" ? "b" : "a")), nonce } }, headers: CAMPUS });
    expect(forged).toMatchObject({ status: 400, body: { code: "pow_invalid" } });
    // Another address is not affected.
    expect((await api("POST", "/api/auth/register", { body: student(), headers: { "CF-Connecting-IP": "198.51.100.8" } })).status).toBe(201);
  });

  it("a challenge expires", async () => {
    const addr = { "CF-Connecting-IP": "198.51.100.9" };
    await env.DB.prepare("INSERT OR REPLACE INTO rate_limits (key, count, window_start) VALUES (?, 10, ?)").bind("register:ip:198.51.100.9", Math.floor(clock.now() / 1000)).run();
    const ch = await api("GET", "/api/auth/challenge", { headers: addr });
    const nonce = await solve(ch.body.challenge, ch.body.bits);
    clock.advance(11 * 60_000);
    expect(await api("POST", "/api/auth/register", { body: { ...student(), pow: { challenge: ch.body.challenge, nonce } }, headers: addr })).toMatchObject({ status: 400, body: { code: "pow_invalid" } });
  });

  it("the per-address cap is sized for a NAT (300 an hour) and still holds: 429 with Retry-After", async () => {
    const addr = { "CF-Connecting-IP": "198.51.100.10" };
    await env.DB.prepare("INSERT OR REPLACE INTO rate_limits (key, count, window_start) VALUES (?, 300, ?)").bind("register:ip:198.51.100.10", Math.floor(clock.now() / 1000)).run();
    const r = await api("POST", "/api/auth/register", { body: student(), headers: addr });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});
