import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { config } from "../config";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";
import { authenticate, sessionOf, sessionQuery, verifyClaims, type AuthContext } from "./tokens";

export function bearerToken(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1]! : null;
}

function tokenOf(c: Context<AppEnv>): string {
  const token = bearerToken(c.req.header("Authorization"));
  if (token) return token;
  c.header("WWW-Authenticate", "Bearer");
  throw new ApiError("unauthorized", "未认证");
}

/** The token and its session (revocation, the user) checked before the handler: one D1 round trip. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("auth", await authenticate(c.var.db, config(c.env), tokenOf(c)));
  await next();
});

/**
 * For reads: only the token's signature and expiry are checked here (no I/O); the handler checks the
 * session with `authed`, in the same D1 batch as its own queries, so the read costs one round trip.
 * A handler behind this middleware that forgets `authed` fails loudly instead of serving anyone.
 */
export const requireClaims = createMiddleware<AppEnv>(async (c, next) => {
  c.set("claims", await verifyClaims(config(c.env), tokenOf(c)));
  await next();
  if (!c.var.auth && !c.error) throw new Error(`${c.req.method} ${c.req.path}: a requireClaims route must call authed()`);
});

type Results<T extends readonly BatchItem<"sqlite">[]> = { [K in keyof T]: Awaited<T[K]> };

/** The session check and the handler's queries in one D1 batch; the results only once the session holds. */
export async function authed<T extends readonly BatchItem<"sqlite">[]>(c: Context<AppEnv>, ...queries: T): Promise<[AuthContext, ...Results<T>]> {
  const claims = c.var.claims;
  const [rows, ...results] = (await c.var.db.batch([sessionQuery(c.var.db, claims), ...queries] as const)) as unknown as [Awaited<ReturnType<typeof sessionQuery>>, ...Results<T>];
  const auth = sessionOf(rows[0], claims);
  c.set("auth", auth);
  return [auth, ...results];
}

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.auth.user.role !== "admin") throw new ApiError("forbidden", "权限不足");
  await next();
});

/** Route middleware for the admin API: authenticated, then admin. */
export const adminOnly = [requireAuth, requireAdmin];
