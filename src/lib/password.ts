import { fromBase64, hmacSha256, toBase64 } from "../../shared/encoding";

/**
 * Versioned password hashes: `pbkdf2-sha256$v1$<iterations>$<salt b64>$<hash b64>`.
 * The password is first HMAC'd with a pepper from a Worker secret, so a leaked D1 alone cannot be
 * brute-forced. PBKDF2 is what production Workers run natively (capped at 100,000 iterations there).
 */
const SCHEME = "pbkdf2-sha256";
const VERSION = "v1";

async function derive(password: string, pepper: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", await hmacSha256(pepper, password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, pepper: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, pepper, salt, iterations);
  return [SCHEME, VERSION, iterations, toBase64(salt), toBase64(hash)].join("$");
}

export function hashIterations(stored: string): number {
  return Number(stored.split("$")[2]);
}

export async function verifyPassword(password: string, stored: string, pepper: string): Promise<boolean> {
  const [scheme, version, iter, salt, hash] = stored.split("$");
  if (scheme !== SCHEME || version !== VERSION || !salt || !hash) return false;
  const actual = await derive(password, pepper, fromBase64(salt), Number(iter));
  const expected = fromBase64(hash);
  // Constant-time comparison.
  let diff = actual.length ^ expected.length;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ (expected[i] ?? 0);
  return diff === 0;
}

/** A hash of a random password: verifying against it costs the same as a real user (no timing oracle). */
let dummy: Promise<string> | undefined;
export function dummyHash(pepper: string, iterations: number): Promise<string> {
  dummy ??= hashPassword(crypto.randomUUID(), pepper, iterations);
  return dummy;
}
