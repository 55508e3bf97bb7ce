import type { Context } from "hono";
import type { AppEnv } from "../types";

/** The caller's address as Cloudflare saw it (throttles key on it); "local" under wrangler dev and in tests. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "local";
}
