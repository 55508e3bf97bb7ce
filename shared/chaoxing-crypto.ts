import { fromBase64, md5Hex, toBase64, utf8 } from "./encoding";

/** The two pieces of cryptography the protocol needs: the login field cipher and the report checksum. */

/** Key and IV of the login form fields (passport2 login.js). */
const LOGIN_KEY = utf8("u2oh6Vu^HWe4_AES");
/** Salt inside the report checksum (videojs-ext.min.js). */
const ENC_SALT = "d_yHJ!$pdA~5";

let keyPromise: Promise<CryptoKey> | null = null;
const loginKey = (): Promise<CryptoKey> =>
  (keyPromise ??= crypto.subtle.importKey("raw", LOGIN_KEY, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]));

/** E(x): AES-128-CBC, key = IV, PKCS#7 (WebCrypto's padding), Base64. */
export async function encryptLoginField(plain: string): Promise<string> {
  return toBase64(await crypto.subtle.encrypt({ name: "AES-CBC", iv: LOGIN_KEY }, await loginKey(), utf8(plain)));
}

/** Inverse of E(x); the simulator checks logins with it. Throws on malformed input. */
export async function decryptLoginField(b64: string): Promise<string> {
  const pt = await crypto.subtle.decrypt({ name: "AES-CBC", iv: LOGIN_KEY }, await loginKey(), fromBase64(b64));
  return new TextDecoder().decode(pt);
}

export interface ReportEncInput {
  clazzId: string;
  userid: string;
  jobid: string;
  objectId: string;
  playingTime: number;
  duration: number;
  /** `<begins>_<ends>` of the clip, `0_<duration>` for the whole media */
  clipTime: string;
}

/** The report's `enc`: MD5 of `[clazzId][userid][jobid][objectId][playingTime*1000][salt][duration*1000][clipTime]`. */
export function reportEnc(p: ReportEncInput): Promise<string> {
  return md5Hex(
    `[${p.clazzId}][${p.userid}][${p.jobid}][${p.objectId}][${p.playingTime * 1000}][${ENC_SALT}][${p.duration * 1000}][${p.clipTime}]`,
  );
}
