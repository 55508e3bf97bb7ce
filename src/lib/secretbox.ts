import { fromBase64, toBase64, utf8 } from "../../shared/encoding";

/**
 * AES-256-GCM for the Chaoxing password (and the cookie jar) at rest. The key comes from the
 * CX_ENCRYPTION_KEY secret; `context` (e.g. "user:42") is bound as additional data, so a ciphertext
 * copied to another row does not decrypt. Format: `v1.<iv b64>.<ciphertext b64>`.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function key(secretB64: string): Promise<CryptoKey> {
  let k = keys.get(secretB64);
  if (!k) {
    k = crypto.subtle.importKey("raw", fromBase64(secretB64), "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(secretB64, k);
  }
  return k;
}

export async function seal(plaintext: string, secretB64: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8(context) }, await key(secretB64), utf8(plaintext));
  return `v1.${toBase64(iv)}.${toBase64(ct)}`;
}

export async function open(sealed: string, secretB64: string, context: string): Promise<string> {
  const [version, iv, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("unknown ciphertext format");
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv), additionalData: utf8(context) }, await key(secretB64), fromBase64(ct));
  return new TextDecoder().decode(pt);
}
