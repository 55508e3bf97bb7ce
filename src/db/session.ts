import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";
import { BOOKMARK_HEADER } from "../shared/d1-bookmark";
import { getDb } from "./client";

/**
 * D1 read replication (the Sessions API): each request reads through a session, so reads may be served by
 * a replica near the user, and never older than what the client saw last: the client sends back the
 * bookmark of its previous response in BOOKMARK_HEADER (the dashboard does; a client that does not reads
 * whatever replica is nearest for GETs and the primary for writes).
 */
export { BOOKMARK_HEADER };
/** How many D1 round trips the request made: for the benchmark and for anyone tuning a route. */
export const ROUND_TRIPS_HEADER = "X-D1-Round-Trips";

export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  // Opened on the first query: routes that never touch D1 (the document, health) do not need one.
  let session: D1DatabaseSession | null = null;
  const counted = countingSession(() => (session ??= c.env.DB.withSession(bookmark || (c.req.method === "GET" ? "first-unconstrained" : "first-primary"))));
  c.set("db", getDb({ DB: counted.session }));
  await next();
  const latest = (session as D1DatabaseSession | null)?.getBookmark();
  if (latest) c.header(BOOKMARK_HEADER, latest);
  c.header(ROUND_TRIPS_HEADER, String(counted.trips()));
});

const EXECUTE = new Set(["all", "first", "run", "raw"]);

/** The session with every statement execution and every batch counted (each is one round trip). */
function countingSession(session: () => D1DatabaseSession): { session: D1DatabaseSession; trips: () => number } {
  let trips = 0;
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (typeof prop === "string" && EXECUTE.has(prop)) return (...args: unknown[]) => (trips++, fn.apply(target, args));
        return fn.bind(target);
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const counted = {
    prepare: (query: string) => wrap(session().prepare(query)),
    batch: <T>(statements: D1PreparedStatement[]) => {
      trips++;
      return session().batch<T>(statements.map((s) => real.get(s) ?? s));
    },
    getBookmark: () => session().getBookmark(),
  };
  return { session: counted as D1DatabaseSession, trips: () => trips };
}
