import { describe, expect, it } from "vitest";
import { checkSolution, issueChallenge } from "../../src/lib/pow";
import { solveChallenge } from "../../web/src/lib/pow";

// The dashboard's solver against the server's check (the sign-up flow itself is test/auth-campus.test.ts).
describe("the sign-up proof of work", () => {
  it("the dashboard solves what the server issues, and the server accepts it", async () => {
    const secret = "a-test-secret-that-is-long-enough-0123456789";
    const ch = await issueChallenge(secret);
    const nonce = await solveChallenge(ch.challenge, ch.bits);
    expect(await checkSolution(secret, ch.challenge, nonce)).toMatch(/^[0-9a-f]{32}$/);
    expect(await checkSolution("another-secret-that-is-long-enough-012345", ch.challenge, nonce)).toBeNull();
  });
});
