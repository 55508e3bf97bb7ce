/** The two pieces of cryptography the protocol needs: the login field cipher and the report checksum. */

/** Key and IV of the login form fields (passport2 login.js). */
const LOGIN_KEY = new TextEncoder().encode("u2oh6Vu^HWe4_AES");
/** Salt inside the report checksum (videojs-ext.min.js). */
const ENC_SALT = "d_yHJ!$pdA~5";

let keyPromise: Promise<CryptoKey> | null = null;
const loginKey = (): Promise<CryptoKey> =>
  (keyPromise ??= crypto.subtle.importKey("raw", LOGIN_KEY, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]));

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** E(x): AES-128-CBC, key = IV, PKCS#7 (WebCrypto's padding), Base64. */
export async function encryptLoginField(plain: string): Promise<string> {
  const ct = await crypto.subtle.encrypt({ name: "AES-CBC", iv: LOGIN_KEY }, await loginKey(), new TextEncoder().encode(plain));
  return toBase64(new Uint8Array(ct));
}

/** Inverse of E(x); the simulator checks logins with it. Throws on malformed input. */
export async function decryptLoginField(b64: string): Promise<string> {
  const pt = await crypto.subtle.decrypt({ name: "AES-CBC", iv: LOGIN_KEY }, await loginKey(), fromBase64(b64));
  return new TextDecoder().decode(pt);
}

/** Lowercase hex MD5; workerd's WebCrypto offers MD5 as an extension. */
export async function md5Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("MD5", new TextEncoder().encode(text));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export interface ReportEncInput {
  clazzId: string;
  userid: string;
  jobid: string;
  objectId: string;
  playingTime: number;
  duration: number;
}

/** The report's `enc`: MD5 of `[clazzId][userid][jobid][objectId][playingTime*1000][salt][duration*1000][clipTime]`. */
export function reportEnc(p: ReportEncInput): Promise<string> {
  const clipTime = `0_${p.duration}`;
  return md5Hex(
    `[${p.clazzId}][${p.userid}][${p.jobid}][${p.objectId}][${p.playingTime * 1000}][${ENC_SALT}][${p.duration * 1000}][${clipTime}]`,
  );
}
