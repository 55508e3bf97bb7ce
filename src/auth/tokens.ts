import { and, eq, isNull, lt, ne } from "drizzle-orm";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Config } from "../config";
import { getDb, type Db } from "../db/client";
import { hubName, type SocketSelector } from "../durable/sockets";
import { authTokens, users } from "../db/schema";
import { ApiError } from "../lib/errors";
import { clock } from "../lib/clock";
import { utf8 } from "../lib/encoding";

export type UserRow = typeof users.$inferSelect;

export interface AuthContext {
  user: UserRow;
  jti: string;
  exp: number;
}

const ALG = "HS256";

export async function issueToken(db: Db, cfg: Config, userId: number): Promise<{ token: string; jti: string; exp: number }> {
  const jti = crypto.randomUUID();
  const iat = Math.floor(clock.now() / 1000);
  const exp = iat + cfg.TOKEN_TTL_SECONDS;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setSubject(String(userId))
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(utf8(cfg.JWT_SECRET));
  const nowIso = new Date(clock.now()).toISOString();
  await db.batch([
    // Expired rows are dead weight; sweep this user's on each issue so the table stays small.
    db.delete(authTokens).where(and(eq(authTokens.userId, userId), lt(authTokens.expiresAt, nowIso))),
    db.insert(authTokens).values({ jti, userId, issuedAt: nowIso, expiresAt: new Date(exp * 1000).toISOString() }),
  ]);
  return { token, jti, exp };
}

const unauthorized = (detail = "无效的认证凭据") => new ApiError(401, "invalid_token", detail);

/** Signature (HS256 only), exp/iat/sub/jti required, then the jti row and the user checked in one query. */
export async function authenticate(db: Db, cfg: Config, token: string): Promise<AuthContext> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, utf8(cfg.JWT_SECRET), {
      algorithms: [ALG],
      requiredClaims: ["exp", "iat", "sub", "jti"],
      currentDate: new Date(clock.now()),
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw unauthorized("认证凭据已过期");
    throw unauthorized();
  }
  const userId = Number(payload.sub);
  const jti = payload.jti!;
  const row = await db
    .select({ user: users, revokedAt: authTokens.revokedAt })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(and(eq(authTokens.jti, jti), eq(authTokens.userId, userId)))
    .get();
  if (!row || row.revokedAt) throw unauthorized("认证凭据已失效");
  if (!row.user.isActive) throw unauthorized("账号已被禁用");
  return { user: row.user, jti, exp: payload.exp! };
}

/**
 * A revoked token must not keep a live socket open (issue 5): the user's hub closes the token's sockets
 * with 1008, its own and the direct task sockets it knows of. The D1 row is what makes the revocation
 * hold; a failure to reach the hub is logged, and its expiry alarm closes the sockets at the latest.
 * Also used when the user's rights shrink (a demotion) with `reason`, so the client reconnects and
 * every subscription is checked again.
 */
export async function closeLiveSockets(env: Env, sel: SocketSelector, reason?: string): Promise<void> {
  try {
    await env.HUBS.getByName(hubName(sel.userId)).closeSockets(sel, reason);
  } catch (e) {
    console.error(`closing live sockets of user ${sel.userId} failed`, e);
  }
}

export async function revokeToken(env: Env, userId: number, jti: string): Promise<void> {
  await getDb(env).update(authTokens).set({ revokedAt: new Date(clock.now()).toISOString() }).where(eq(authTokens.jti, jti));
  await closeLiveSockets(env, { userId, jti });
}

/** Revoke every live token of a user, except `keepJti` (the session that asked for it). */
export async function revokeUserTokens(env: Env, userId: number, keepJti?: string): Promise<void> {
  const conds = [eq(authTokens.userId, userId), isNull(authTokens.revokedAt)];
  if (keepJti) conds.push(ne(authTokens.jti, keepJti));
  await getDb(env).update(authTokens).set({ revokedAt: new Date(clock.now()).toISOString() }).where(and(...conds));
  await closeLiveSockets(env, { userId, exceptJti: keepJti ?? null });
}
