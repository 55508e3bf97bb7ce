/**
 * What the agent agrees to fetch, decided here on the student's machine and not by the deployment: only
 * HTTPS to the Chaoxing hosts the client uses, GET or POST, within size caps. A compromised deployment can
 * therefore not use a student's connection as an open proxy. In development, the one origin on this
 * machine that `--dev-allow-loopback ORIGIN` names (the local simulator), and no other port of it.
 */
import { MAX_HEADER_BYTES, MAX_REQUEST_BODY_BYTES, MAX_URL_BYTES, type RelayErrorCode, type RequestFrame } from "../../src/shared/relay-wire";

export interface PolicyOptions {
  /** `--dev-allow-loopback ORIGIN`: also relay to exactly this origin on this machine (e.g. `http://127.0.0.1:8001`). */
  devOrigin: string | null;
}

/**
 * passport2 (login), mooc2-ans (courses, chapters), mooc1 and its numbered mirrors (cards, media, reports),
 * mooc1-api (job counts), zhibo (live replays' watched time), sso (the account a QR login opened). A host
 * added here raises RELAY_PROTOCOL (src/shared/relay-wire.ts): older agents would refuse its calls.
 */
const CHAOXING_HOSTS = new Set([
  "passport2.chaoxing.com", "mooc1.chaoxing.com", "mooc1-api.chaoxing.com", "mooc2-ans.chaoxing.com", "zhibo.chaoxing.com", "sso.chaoxing.com",
]);
const MOOC1_MIRROR = /^mooc1-\d{1,2}\.chaoxing\.com$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const METHODS = new Set(["GET", "POST"]);

export const isChaoxingHost = (host: string): boolean => CHAOXING_HOSTS.has(host) || MOOC1_MIRROR.test(host);
export const isLoopbackHost = (host: string): boolean => LOOPBACK.has(host);

/** The origin `--dev-allow-loopback` names, or why it is none: http(s) to a loopback host, scheme, host and port only. */
export function parseDevOrigin(raw: string): { origin: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `${raw} is not a URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { error: `${raw}: http:// or https:// only` };
  if (!isLoopbackHost(url.hostname)) return { error: `${raw}: only this machine (127.0.0.1, localhost, [::1])` };
  if (url.origin !== raw.replace(/\/$/, "")) return { error: `${raw}: one origin (scheme, host, port), nothing more` };
  return { origin: url.origin };
}

export type Refusal = { code: RelayErrorCode; message: string };

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/** The frame's URL if the agent may fetch it, or why not. `bodyBytes`: the decoded body's length. */
export function checkRequest(f: Pick<RequestFrame, "method" | "url" | "headers">, bodyBytes: number, opts: PolicyOptions): { url: URL } | Refusal {
  if (byteLength(f.url) > MAX_URL_BYTES) return { code: "request_too_large", message: `URL longer than ${MAX_URL_BYTES} bytes` };
  let url: URL;
  try {
    url = new URL(f.url);
  } catch {
    return { code: "bad_frame", message: "not a URL" };
  }
  const host = url.hostname.toLowerCase();
  const dev = opts.devOrigin !== null && url.origin === opts.devOrigin;
  if (url.protocol !== "https:" && !dev) return { code: "scheme_not_allowed", message: `${url.protocol} is not allowed (HTTPS only)` };
  if (!dev && !isChaoxingHost(host)) return { code: "host_not_allowed", message: `${host} is not a Chaoxing host this relay serves` };
  if (!dev && url.port !== "") return { code: "host_not_allowed", message: `port ${url.port} is not allowed` };
  if (url.username || url.password) return { code: "bad_frame", message: "credentials in the URL" };
  if (!METHODS.has(f.method)) return { code: "method_not_allowed", message: `${f.method} is not allowed` };
  if (byteLength(JSON.stringify(f.headers)) > MAX_HEADER_BYTES) return { code: "request_too_large", message: `headers larger than ${MAX_HEADER_BYTES} bytes` };
  if (bodyBytes > MAX_REQUEST_BODY_BYTES) return { code: "request_too_large", message: `body larger than ${MAX_REQUEST_BODY_BYTES} bytes` };
  return { url };
}
