import type { Context } from "hono";
import type { App } from "../app";
import { bearerToken } from "../auth/middleware";
import { authenticate } from "../auth/tokens";
import { allowedOrigins, config } from "../config";
import { hubName, upgradeRequest, type LiveSession } from "../durable/sockets";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";
import { anyTask, ownTask } from "../tasks/ownership";
import { taskStub } from "../tasks/stub";

/**
 * The handshake of both live endpoints, before any object is touched: an upgrade request, a present
 * `Origin` on the allowlist (browsers always send one; a missing one is a non-browser client, which
 * cross-site request forgery cannot come from), and a valid token (signature, expiry, revocation,
 * active user). Failures are the normal JSON 426/403/401 bodies.
 */
async function handshake(c: Context<AppEnv>): Promise<LiveSession> {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("upgrade_required", "需要 WebSocket 升级请求（Upgrade: websocket）");
  const cfg = config(c.env);
  const origin = c.req.header("Origin");
  // The dashboard's own origin is always fine (whatever host name it was opened under); others need the allowlist.
  const own = new URL(c.req.url).origin;
  if (origin !== undefined && origin !== own && !allowedOrigins(cfg).includes(origin)) throw new ApiError("forbidden", "不允许的来源（Origin）");
  // Browsers cannot set headers on a WebSocket, hence the seed's `?token=`; a bearer header also works.
  const token = c.req.query("token") || bearerToken(c.req.header("Authorization"));
  if (!token) throw new ApiError("unauthorized", "未认证");
  const { user, jti, exp } = await authenticate(c.var.db, cfg, token);
  return { jti, exp, userId: user.id, username: user.username, role: user.role };
}

/**
 * The objects answer 101 with the client end of the socket. Re-wrapped so middleware that sets headers
 * (the request id) works on a response whose headers are ours, not the object's immutable ones.
 */
const relay = (res: Response) => (res.webSocket ? new Response(null, { status: 101, webSocket: res.webSocket }) : res);

/**
 * `WS /ws/connect?token=` (the seed's multiplexed socket, served by the user's hub) and
 * `WS /api/tasks/{id}/ws?token=` (one task, served by the task's own object). Plain Hono routes: OpenAPI
 * cannot describe a WebSocket, so README.md "Live progress" documents them and their messages.
 */
export function registerLiveRoutes(app: App) {
  app.get("/ws/connect", async (c) => {
    const session = await handshake(c);
    const hub = c.env.HUBS.getByName(hubName(session.userId));
    return relay(await hub.fetch(upgradeRequest("https://hub/connect", await hub.ticket(session))));
  });

  app.get("/api/tasks/:id{[1-9][0-9]{0,14}}/ws", async (c) => {
    const session = await handshake(c);
    const id = Number(c.req.param("id"));
    const db = c.var.db;
    // An admin may watch any task (as on /ws/connect); anyone else only their own, others read as missing.
    await (session.role === "admin" ? anyTask(db, id) : ownTask(db, session.userId, id));
    // The user's hub is the registry revocation and expiry go through: it must know of this socket first.
    await c.env.HUBS.getByName(hubName(session.userId)).noteDirect(id, session);
    const task = taskStub(c.env, id);
    return relay(await task.fetch(upgradeRequest(`https://task/ws?task_id=${id}`, await task.ticket(session))));
  });
}
