/**
 * Where a user's Chaoxing traffic leaves from: through their relay agent (the platform blocks data-centre
 * addresses: chaoxing-protocol.md "Where traffic comes from"), or "direct" from the Worker where the
 * operator allows it (EGRESS_DIRECT_ALLOWED). Both are a `Transport`, so the Chaoxing
 * client does not know which one it uses. There is never a silent fallback: with the relay chosen and no
 * agent online, the call fails with `relay_offline`.
 */
import { ChaoxingError } from "../chaoxing/errors";
import type { Transport } from "../chaoxing/transport";
import { relayName, type WireRequest } from "../durable/relay";
import { egressOf } from "./egress";

/**
 * The way out for one request of user `userId` (the phone object sends each one this way): their relay,
 * the account pinned to one of their agents by `account`, or, where they chose it, `direct` (the phone
 * object's own network transport: the test/dev override it started with).
 */
export async function egressTransport(env: Env, userId: number, account: string, direct: Transport): Promise<Transport> {
  return (await egressOf(env, userId)) === "direct" ? direct : relayTransport(env, userId, account);
}

/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** An answer that crossed an RPC boundary (the agent's, or the phone object's) as a Response; RPC delivers the header pairs as plain arrays. */
export function rebuild(r: { status: number; headers: string[][]; body: Uint8Array }): Response {
  const headers = new Headers();
  // Appended one by one: every Set-Cookie line stays its own (getSetCookie()).
  for (const [k, v] of r.headers) headers.append(k, v);
  return new Response(NULL_BODY.has(r.status) ? null : r.body, { status: r.status, headers });
}

/** A request as it crosses an RPC boundary (to the user's relay object, or to the phone object). */
export async function wireOf(req: Request): Promise<WireRequest> {
  const body = req.body ? new Uint8Array(await req.arrayBuffer()) : null;
  return { method: req.method, url: req.url, headers: [...req.headers], body };
}

/**
 * The user's relay as a Transport: the request is serialised, sent by RPC to the user's relay object
 * (which forwards it to the agent this account is pinned to), and the agent's answer rebuilt as a
 * Response — a 3xx stays a 3xx with its Location, as with `redirect: "manual"`.
 */
export function relayTransport(env: Env, userId: number, account: string): Transport {
  return {
    async fetch(req) {
      const r = await env.RELAYS.getByName(relayName(userId)).forward(account, await wireOf(req));
      if (r.ok) return rebuild(r);
      if (r.offline && r.outdated) throw new ChaoxingError("relay_outdated", "中继版本过旧，已被拒绝连接：请在「中继」页复制安装命令重新安装");
      if (r.offline) throw new ChaoxingError("relay_offline", "没有在线的中继：请在你自己的电脑或手机上启动中继程序");
      // Network trouble on the student's side is transient; a refusal by the agent's own rules is not.
      const transient = r.code === "network" || r.code === "timeout" || r.code === "lost";
      throw new ChaoxingError(transient ? "transient" : "bad_response", `中继未能完成请求 (${r.code}): ${r.message}`);
    },
  };
}
