import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashIterations } from "../src/lib/password";
import { registerUser } from "./helpers/api";

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
