import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimits } from "../db/schema";
import { clock } from "../../shared/clock";
import { ApiError } from "./errors";

export interface Limit {
  /** Counter key, e.g. `login:user:alice` or `register:ip:1.2.3.4`. */
  key: string;
  max: number;
  windowSeconds: number;
}

/** Seconds until the window of a full counter ends, or 0 when under the limit. */
export async function retryAfter(db: Db, limit: Limit): Promise<number> {
  const row = await db.select().from(rateLimits).where(eq(rateLimits.key, limit.key)).get();
  const now = Math.floor(clock.now() / 1000);
  if (!row || now - row.windowStart >= limit.windowSeconds || row.count < limit.max) return 0;
  return row.windowStart + limit.windowSeconds - now;
}

/** Counts one event in a fixed window (one atomic upsert; a stale window restarts at 1); the new count. */
export async function hit(db: Db, limit: Limit): Promise<number> {
  const now = Math.floor(clock.now() / 1000);
  const row = await db
    .insert(rateLimits)
    .values({ key: limit.key, count: 1, windowStart: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${now} - ${rateLimits.windowStart} >= ${limit.windowSeconds} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${now} - ${rateLimits.windowStart} >= ${limit.windowSeconds} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count })
    .get();
  return row?.count ?? 1;
}

export async function clear(db: Db, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

export function throttled(seconds: number): ApiError {
  return new ApiError("rate_limited", `请求过于频繁，请在 ${seconds} 秒后重试`, { retryAfter: seconds });
}

/** Throw 429 when any of the limits is full. */
export async function enforce(db: Db, ...limits: Limit[]): Promise<void> {
  for (const l of limits) {
    const wait = await retryAfter(db, l);
    if (wait > 0) throw throttled(wait);
  }
}

/**
 * Counts the attempt first and refuses it (429) when that went over the limit: parallel attempts each
 * get their own count, so none slips past a check made before the count.
 */
export async function consume(db: Db, ...limits: Limit[]): Promise<void> {
  for (const l of limits) {
    if ((await hit(db, l)) > l.max) throw throttled(await retryAfter(db, l));
  }
}
