import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, registerUser } from "./api";

export interface ProtectedRoute {
  method: string;
  path: string;
  body?: unknown;
}

const secret = () => new TextEncoder().encode(env.JWT_SECRET);

async function sign(claims: { sub: string; jti?: string; iat?: number; exp?: number }, alg = "HS256", key = secret()) {
  let jwt = new SignJWT({}).setProtectedHeader({ alg }).setSubject(claims.sub);
  if (claims.jti) jwt = jwt.setJti(claims.jti);
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}

function payloadOf(token: string): { sub: string; jti: string; iat: number; exp: number } {
  return JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
}

/**
 * The shared auth matrix: every protected route must refuse each of these with 401 (no token,
 * malformed, bad signature, wrong algorithm, unsigned, missing claims, expired, revoked), naming why in
 * the code where the client can tell its user (expired, revoked), and a deactivated user with 403
 * `account_disabled` (as the login does). Later issues run it on their routes too.
 */
export function authMatrix(routes: ProtectedRoute[]) {
  describe.each(routes)("auth matrix: $method $path", (route) => {
    const call = (token?: string, raw?: string) =>
      api(route.method, route.path, { token, body: route.body, headers: raw ? { Authorization: raw } : {} });

    it("refuses a missing token", async () => {
      const r = await call();
      expect(r.status).toBe(401);
      expect(typeof r.body.detail).toBe("string");
    });
    it("refuses a malformed token and a non-bearer scheme", async () => {
      expect((await call("not-a-jwt")).status).toBe(401);
      const { token } = await registerUser();
      expect((await call(undefined, `Basic ${token}`)).status).toBe(401);
    });
    it("refuses a bad signature, a wrong algorithm, an unsigned token and missing claims", async () => {
      const { token } = await registerUser();
      const p = payloadOf(token);
      expect((await call(await sign(p, "HS256", new TextEncoder().encode("another-secret-another-secret-xx")))).status).toBe(401);
      expect((await call(await sign(p, "HS512"))).status).toBe(401);
      const unsigned = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${token.split(".")[1]}.`;
      expect((await call(unsigned)).status).toBe(401);
      expect((await call(await sign({ sub: p.sub, jti: p.jti, iat: p.iat })))).toMatchObject({ status: 401 }); // no exp
      expect((await call(await sign({ sub: p.sub, iat: p.iat, exp: p.exp })))).toMatchObject({ status: 401 }); // no jti
    });
    it("refuses an expired token", async () => {
      const { token } = await registerUser();
      const p = payloadOf(token);
      expect(await call(await sign({ ...p, iat: p.iat - 7200, exp: p.iat - 3600 }))).toMatchObject({ status: 401, body: { code: "token_expired" } });
    });
    it("refuses a revoked token", async () => {
      const { token } = await registerUser();
      expect((await api("POST", "/api/auth/logout", { token })).status).toBe(200);
      expect(await call(token)).toMatchObject({ status: 401, body: { code: "token_revoked" } });
    });
    it("refuses a deactivated user", async () => {
      const { token, user } = await registerUser();
      await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(user.id).run();
      expect(await call(token)).toMatchObject({ status: 403, body: { code: "account_disabled" } });
    });
  });
}
