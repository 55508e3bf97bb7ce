/**
 * A small proof of work for sign-ups past the free allowance of an address (README "Registration from a
 * campus"): the server signs a challenge (expiry, difficulty, random part; HMAC under a key derived from
 * JWT_SECRET, so nothing is stored until it is used), the client finds a nonce whose SHA-256 with it
 * starts with `bits` zero bits (about 2^bits hashes: a second or two on a phone), and the server checks
 * it with one hash and records it as used. A class behind one NAT signs up; a script pays per account.
 */
import { clock } from "./clock";
import { hmacSha256, randomToken, toHex, utf8 } from "./encoding";

export const POW_BITS = 16;
export const POW_TTL_MS = 10 * 60_000;
const LABEL = "chaoxing-edge proof of work v1";

const sign = async (secret: string, body: string): Promise<string> => toHex(await hmacSha256(`${LABEL}:${secret}`, body)).slice(0, 32);

export async function issueChallenge(secret: string): Promise<{ challenge: string; bits: number; expires_at: string }> {
  const expires = clock.now() + POW_TTL_MS;
  const body = `v1.${Math.floor(expires / 1000)}.${POW_BITS}.${randomToken(12)}`;
  return { challenge: `${body}.${await sign(secret, body)}`, bits: POW_BITS, expires_at: new Date(expires).toISOString() };
}

function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) n += 8;
    else return n + Math.clz32(b) - 24;
  }
  return n;
}

/**
 * Whether `nonce` solves a challenge we signed that has not expired; its id (for the one use) when it does.
 * Constant work whatever is sent: one HMAC and one SHA-256.
 */
export async function checkSolution(secret: string, challenge: string, nonce: string): Promise<string | null> {
  const m = /^(v1\.(\d{1,12})\.(\d{1,2})\.[A-Za-z0-9_-]{16})\.([0-9a-f]{32})$/.exec(challenge);
  if (!m || nonce.length > 64) return null;
  const [, body, expires, bits, mac] = m;
  if ((await sign(secret, body!)) !== mac) return null;
  if (Number(expires) * 1000 < clock.now() || Number(bits) !== POW_BITS) return null;
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(`${challenge}:${nonce}`)));
  return leadingZeroBits(hash) >= POW_BITS ? mac! : null;
}
