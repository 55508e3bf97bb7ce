import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashIterations } from "../src/lib/password";
import { api, registerUser } from "./helpers/api";

describe("password hashing", () => {
  it("uses the configured PBKDF2 iterations, within the production Workers cap of 100,000", async () => {
    const configured = Number(env.PBKDF2_ITERATIONS);
    expect(configured).toBe(100_000);
    const { user } = await registerUser("kdf");
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(user.id).first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$v1\$100000\$/);
    expect(hashIterations(row!.password_hash)).toBeLessThanOrEqual(100_000);
  });
});

// issue 11 row 15
describe("X-Request-Id", () => {
  it("echoes a short client id of a safe charset and replaces anything else with our own", async () => {
    const echoed = (id: string) => api("GET", "/api/health", { headers: { "X-Request-Id": id } }).then((r) => r.headers.get("X-Request-Id"));
    expect(await echoed("trace-0123_abcDEF")).toBe("trace-0123_abcDEF");
    for (const bad of ["a".repeat(65), "x".repeat(255), "<script>", "a b", "id%0d%0aSet-Cookie"]) {
      const got = await echoed(bad);
      expect(got, bad).not.toBe(bad);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
