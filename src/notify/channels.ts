import { config, notifyAllowedOrigins } from "../config";
import { notifyChannels } from "../db/schema";
import { open, seal } from "../lib/secretbox";
import type { NotifyChannel, Secrets } from "../shared/notify";
import { ROBOT_HOSTS, type HttpChannel } from "./providers";
import { checkTarget, type TargetCheck } from "./target";

export type ChannelRow = typeof notifyChannels.$inferSelect;

/** Channel secrets are bound to the user and the channel: a ciphertext copied elsewhere does not open. */
const context = (userId: number, kind: NotifyChannel) => `notify:${userId}:${kind}`;

export async function openSecrets(env: Env, row: ChannelRow): Promise<Secrets> {
  if (!row.secretsEnc) return {};
  return JSON.parse(await open(row.secretsEnc, config(env).CX_ENCRYPTION_KEY, context(row.userId, row.kind))) as Secrets;
}

export async function sealSecrets(env: Env, userId: number, kind: NotifyChannel, s: Secrets): Promise<string | null> {
  if (Object.keys(s).length === 0) return null;
  return seal(JSON.stringify(s), config(env).CX_ENCRYPTION_KEY, context(userId, kind));
}

/**
 * A channel's URL as a notification target: HTTPS, public (src/notify/target.ts) and, for the group
 * robots, on the robot service's own host. The allowed origins of the configuration pass as they are.
 */
export function checkChannelUrl(env: Env, channel: HttpChannel, raw: string): TargetCheck {
  const allowed = notifyAllowedOrigins(config(env));
  const r = checkTarget(raw, allowed);
  if (!r.ok || allowed.includes(r.url.origin)) return r;
  const hosts = ROBOT_HOSTS[channel];
  if (hosts && !hosts.includes(r.url.hostname)) return { ok: false, reason: `应为 ${hosts.join(" 或 ")} 上的机器人地址` };
  return r;
}
