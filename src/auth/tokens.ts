import { and, eq, isNull, lt, ne } from "drizzle-orm";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Config } from "../config";
import { getDb, type Db } from "../db/client";
import { hubName, type SocketSelector } from "../durable/sockets";
import { authTokens, users } from "../db/schema";
import { ApiError } from "../lib/errors";
import { clock } from "../../shared/clock";
import { utf8 } from "../../shared/encoding";

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

/**
 * Why a token stopped working, as the code of the 401/403 (and of the 1008 close of its sockets), so a
 * client can tell its user: expired, signed out (here or elsewhere), password changed, account disabled.
 */
export const REVOCATION_REASONS = ["token_revoked", "password_changed", "account_disabled"] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
/** A 1008 close carries one of these; `role_changed` (a demotion) tells the client to reconnect, not to sign out. */
export type SocketCloseReason = RevocationReason | "role_changed";

const REVOKED_DETAIL: Record<RevocationReason, string> = {
  token_revoked: "登录已失效（已退出登录），请重新登录",
  password_changed: "密码已修改，请重新登录",
  account_disabled: "账号已被禁用",
};

const invalid = () => new ApiError("invalid_token", "无效的认证凭据");

/** A token whose signature and expiry were checked; its session row (revocation, the user) not yet. */
export interface Claims {
  userId: number;
  jti: string;
  exp: number;
}

/** Signature (HS256 only), exp/iat/sub/jti required: no I/O. */
export async function verifyClaims(cfg: Config, token: string): Promise<Claims> {
  try {
    const { payload } = await jwtVerify(token, utf8(cfg.JWT_SECRET), {
      algorithms: [ALG],
      requiredClaims: ["exp", "iat", "sub", "jti"],
      currentDate: new Date(clock.now()),
    });
    return { userId: Number(payload.sub), jti: payload.jti!, exp: payload.exp! };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new ApiError("token_expired", "登录已过期，请重新登录");
    throw invalid();
  }
}

/** The token's row and its user, in one query (so it can ride in a batch with the route's own queries). */
export const sessionQuery = (db: Db, claims: Claims) =>
  db
    .select({ user: users, revokedAt: authTokens.revokedAt, reason: authTokens.revokedReason })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(and(eq(authTokens.jti, claims.jti), eq(authTokens.userId, claims.userId)))
    .limit(1);

type SessionRow = Awaited<ReturnType<typeof sessionQuery>>[number];

/** The session the row describes, or why there is none. */
export function sessionOf(row: SessionRow | undefined, claims: Claims): AuthContext {
  if (!row) throw invalid();
  if (!row.user.isActive) throw new ApiError("account_disabled", REVOKED_DETAIL.account_disabled);
  if (row.revokedAt) {
    // Revoked by a deactivation that has since been undone: the session simply ended.
    const reason = row.reason === "password_changed" ? "password_changed" : "token_revoked";
    throw new ApiError(reason, REVOKED_DETAIL[reason]);
  }
  return { user: row.user, jti: claims.jti, exp: claims.exp };
}

/** Signature and claims, then the jti row and the user checked in one query. */
export async function authenticate(db: Db, cfg: Config, token: string): Promise<AuthContext> {
  const claims = await verifyClaims(cfg, token);
  const [row] = await sessionQuery(db, claims);
  return sessionOf(row, claims);
}

/**
 * A revoked token must not keep a live socket open (a socket outlives the handshake that checked it): the
 * user's hub closes the token's sockets with 1008, its own and the direct task sockets it knows of. The D1
 * row is what makes the revocation hold; a failure to reach the hub is logged, and its expiry alarm closes
 * the sockets at the latest.
 * Also used when the user's rights shrink (a demotion, `role_changed`), so the client reconnects and
 * every subscription is checked again against the new role.
 */
export async function closeLiveSockets(env: Env, sel: SocketSelector, reason: SocketCloseReason): Promise<void> {
  try {
    await env.HUBS.getByName(hubName(sel.userId)).closeSockets(sel, reason);
  } catch (e) {
    console.error(`closing live sockets of user ${sel.userId} failed`, e);
  }
}

/** Logout or refresh: this one token. */
export async function revokeToken(env: Env, userId: number, jti: string): Promise<void> {
  await getDb(env).update(authTokens).set({ revokedAt: new Date(clock.now()).toISOString(), revokedReason: "token_revoked" }).where(eq(authTokens.jti, jti));
  await closeLiveSockets(env, { userId, jti }, "token_revoked");
}

/** Revoke every live token of a user, except `keepJti` (the session that asked for it). */
export async function revokeUserTokens(env: Env, userId: number, reason: RevocationReason, keepJti?: string): Promise<void> {
  const conds = [eq(authTokens.userId, userId), isNull(authTokens.revokedAt)];
  if (keepJti) conds.push(ne(authTokens.jti, keepJti));
  await getDb(env).update(authTokens).set({ revokedAt: new Date(clock.now()).toISOString(), revokedReason: reason }).where(and(...conds));
  await closeLiveSockets(env, { userId, exceptJti: keepJti ?? null }, reason);
}
