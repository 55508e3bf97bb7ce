/**
 * The user's egress choice (relay or direct), as the deployment allows it (EGRESS_DIRECT_ALLOWED), read
 * from D1 and cached briefly per isolate. Apart from the transports (transport.ts), so the relay object
 * can ask it without importing them.
 */
import { config } from "../config";
import { clock } from "../lib/clock";

export type Egress = "relay" | "direct";

/** The user's choice as stored (null: never chosen), resolved against what the deployment allows. */
export const effectiveEgress = (choice: Egress | null, directAllowed: boolean): Egress => (directAllowed ? (choice ?? "direct") : "relay");

/**
 * The choice is read from D1 by the phone object on its requests and cached briefly per isolate; a change
 * reaches other isolates within EGRESS_CACHE_MS (`forgetEgress` clears this isolate's copy at once).
 */
const EGRESS_CACHE_MS = 30_000;
const cache = new Map<number, { egress: Egress; at: number }>();

export function forgetEgress(userId: number): void {
  cache.delete(userId);
}

export async function egressOf(env: Env, userId: number): Promise<Egress> {
  const allowed = config(env).EGRESS_DIRECT_ALLOWED;
  if (!allowed) return "relay";
  const hit = cache.get(userId);
  if (hit && clock.now() - hit.at < EGRESS_CACHE_MS) return hit.egress;
  const row = await env.DB.prepare("SELECT egress FROM user_configs WHERE user_id = ?").bind(userId).first<{ egress: Egress | null }>();
  const egress = effectiveEgress(row?.egress ?? null, allowed);
  cache.set(userId, { egress, at: clock.now() });
  return egress;
}

