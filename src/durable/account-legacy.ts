/**
 * What the release before per-user account objects stored, and how it is taken over. Then one object per
 * phone, `acct:<phone>`, was shared by every user who saved that phone; its records had no version
 * (test/fixtures/account-v1.ts shows them as that release wrote them). Now each user's binding of a phone
 * is its own object (`acct:<userId>:<phone>`, src/durable/account.ts) and the phone's lock is the phone
 * object's (src/durable/phone.ts). The same class serves both names, so the earlier objects stay reachable:
 *
 * - The session (jar, verifier), its login times and risk state, the customised limits and today's usage
 *   go, once, to the first binding whose credentials are the ones that opened that session: whoever knew
 *   the password and logged in was its owner, and while the session stood nobody else could change those
 *   limits. A binding with other credentials, or one that comes after the hand-over, starts afresh (the
 *   new defaults, and its own login). Refused-password counts (anyone's) are never adopted; they are
 *   dropped at the hand-over. An object whose session no binding ever claims keeps its records, unused.
 * - The one-video lock (holder and queue) goes to the phone object the first time it loads, so a video
 *   that was playing during the upgrade is not joined by a second one.
 * After the hand-over the earlier object keeps only the mark `handed-over`.
 */
import { normalisePhone } from "../lib/phone-number";
import type { LockState } from "./phone";

export const legacyAccountName = (phone: string): string => `acct:${normalisePhone(phone)}`;
/** Earlier objects are named by the phone alone; bindings also by the user. */
export const isLegacyName = (name: string): boolean => /^acct:[^:]+$/.test(name);

export interface V1Session {
  jar: string | null;
  verifier: string | null;
  logins?: number[];
  risk?: { since: number; probed: boolean } | null;
}
export interface V1Limits {
  windowStart: string;
  windowEnd: string;
  dailyCapMinutes: number;
  videoGapSeconds: number;
  videoGapJitterSeconds: number;
}
export interface V1Usage {
  day: string;
  seconds: number;
  jobid: string | null;
  playingTime: number;
  objectId: string | null;
  nextVideoAt: number;
}

/** What the owner's binding takes over. `jar` is still sealed, in the earlier object's name (`sealedAs`). */
export interface Handover {
  session: V1Session & { jar: string };
  sealedAs: string;
  limits: V1Limits | null;
  usage: V1Usage | null;
}

const V1_KEYS = ["session", "limits", "usage", "login-refusals"] as const;
const HANDED_OVER = "handed-over";

/** In the earlier object: its session and what that session vouched for, if `verifier` opened it; once. */
export function handOverSession(kv: SyncKvStorage, name: string, verifier: string): Handover | null {
  const session = kv.get<V1Session>("session");
  if (kv.get(HANDED_OVER) || !session?.jar || !session.verifier || session.verifier !== verifier) return null;
  const out: Handover = {
    session: { ...session, jar: session.jar },
    sealedAs: name,
    limits: kv.get<V1Limits>("limits") ?? null,
    usage: kv.get<V1Usage>("usage") ?? null,
  };
  for (const k of V1_KEYS) kv.delete(k);
  kv.put(HANDED_OVER, true);
  return out;
}

/** In the earlier object: its video lock, once (the phone object asks the first time it loads). */
export function handOverLock(kv: SyncKvStorage): LockState | null {
  const lock = kv.get<LockState>("lock") ?? null;
  if (lock) kv.delete("lock");
  return lock;
}
