import { fromBase64, toHex, utf8 } from "./encoding";

/**
 * The account object's session verifier: it tells whether the saved (phone, password) is the one that
 * opened the user's Chaoxing session (and, once, which user owned an earlier release's shared session)
 * without keeping the password. A bare hash
 * of the two fell to a dictionary offline; this is an HMAC-SHA256 whose key is derived (HKDF, its own
 * label) from CX_ENCRYPTION_KEY, the secret that already guards the Chaoxing passwords and the cookie
 * jar beside the verifier: storage alone no longer reveals anything, and rotating that key ends the
 * sessions (one fresh login each) exactly as it already makes the sealed jar unreadable. The key is
 * derived once per isolate.
 */
const keys = new Map<string, Promise<CryptoKey>>();
const LABEL = utf8("chaoxing-edge/account-session-verifier/v1");

function verifierKey(secretB64: string): Promise<CryptoKey> {
  let k = keys.get(secretB64);
  if (!k) {
    k = crypto.subtle
      .importKey("raw", fromBase64(secretB64), "HKDF", false, ["deriveKey"])
      .then((ikm) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: LABEL }, ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]));
    keys.set(secretB64, k);
  }
  return k;
}

/** HMAC-SHA256 over `phone \0 password` (the phone already normalised), hex. */
export async function sessionVerifier(secretB64: string, phone: string, password: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await verifierKey(secretB64), utf8(`${phone}\u0000${password}`)));
}
