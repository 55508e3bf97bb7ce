import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { allowedOrigins, config } from "../config";
import { BOOKMARK_HEADER } from "../shared/d1-bookmark";
import type { AppEnv } from "../types";
import { IGNORED_FIELDS_HEADER } from "./validation";

/**
 * CORS for `/api`: a frontend served from another origin (the origin's own web frontend, say) may call
 * the API from the origins WebSockets already accept, APP_URL's and ALLOWED_ORIGINS. Clients send a
 * bearer token and we set no cookies, so credentials are never allowed: a page elsewhere cannot ride
 * a signed-in user's session. Any other origin gets no CORS header at all (hono's `cors` alone would
 * still send its method and expose lists), so the browser keeps the answer from it.
 */
const allowed = cors({
  // Only reached for an allowed origin (below), which is echoed.
  origin: (origin) => origin,
  allowMethods: ["GET", "POST", "PUT", "DELETE", "PATCH"],
  allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", BOOKMARK_HEADER],
  // What a client reads besides the body: the ignored fields, throttling, the request id to report, the D1 bookmark to hand back.
  exposeHeaders: [IGNORED_FIELDS_HEADER, "Retry-After", "X-Request-Id", BOOKMARK_HEADER],
  maxAge: 600,
  credentials: false,
});

export const apiCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A WebSocket handshake is no CORS request (its Origin is checked by the live routes, src/routes/ws.ts).
  if (c.req.header("Upgrade")?.toLowerCase() === "websocket") return next();
  const origin = c.req.header("Origin");
  if (origin && allowedOrigins(config(c.env)).includes(origin)) return allowed(c, next);
  await next();
  // The answer depends on the Origin (an allowed one gets CORS headers): caches must keep them apart.
  c.res.headers.append("Vary", "Origin");
};
