/**
 * The relay protocol (README "Egress") between the relay object (src/durable/relay.ts) and the agent a
 * student runs (relay/). Both sides import this file, so it uses only what Workers and Node ≥ 18 share
 * (WebCrypto as `crypto.subtle`, which the agent installs on Node 18; `TextEncoder`; `btoa`).
 *
 * - The agent dials `RELAY_PATH` with `Authorization: Bearer <credential>` (a credential is
 *   `cxr1_<relayId>_<secret>`, issued once at pairing; the server keeps only hashes).
 * - Server → agent, text frames: one `hello` with a fresh nonce, then `request` frames. Each request has
 *   a strictly increasing `seq` and `mac` = HMAC-SHA256(connection key, `macInput`), where the connection
 *   key is HMAC(frame key, "conn:" + nonce) and the frame key HMAC(secret, FRAME_KEY_LABEL): both sides
 *   derive it, it never travels. A frame from another connection, replayed or altered, fails.
 * - Agent → server, binary frames: a 4-byte big-endian header length, a JSON header (`AgentHeader`), body
 *   bytes. A response body comes in parts of at most PART_BYTES: a Worker receives WebSocket messages of
 *   up to 1 MiB.
 */
import { fromBase64, toBase64, toHex, utf8 } from "../../shared/encoding";

/**
 * The protocol this deployment's agent speaks; the agent says its own in PROTOCOL_HEADER. Raised whenever
 * what the deployment sends grows beyond what an older agent accepts, its host allow-list included
 * (relay/src/policy.ts): 2 added zhibo (live replays) and sso (whose account a QR login opened); an agent
 * of protocol 1 would refuse those calls, so it is refused at the handshake and told to update.
 */
export const RELAY_PROTOCOL = 2;
/** The oldest agent protocol the deployment still accepts; older (or newer) agents are refused at the handshake. */
export const MIN_RELAY_PROTOCOL = 2;
/** Absent on agents of the first release, which speak protocol 1. */
export const PROTOCOL_HEADER = "X-Relay-Protocol";
export const RELAY_PATH = "/ws/relay";
export const PAIR_PATH = "/api/relays/pair";
export const FRAME_KEY_LABEL = "chaoxing-relay frame key v1";

/** Size caps, enforced by the agent (and by the server before it sends). */
export const MAX_URL_BYTES = 8 * 1024;
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_RESPONSE_BODY_BYTES = 4 * 1024 * 1024;
export const PART_BYTES = 512 * 1024;
/** The agent's own limit on one upstream request; the server waits a little longer. */
export const AGENT_TIMEOUT_MS = 20_000;

export type Header = [name: string, value: string];

export interface HelloFrame {
  type: "hello";
  protocol: number;
  nonce: string;
  relay_id: number;
  name: string;
}

export interface RequestFrame {
  type: "request";
  seq: number;
  method: string;
  url: string;
  headers: Header[];
  /** base64, or null for no body */
  body: string | null;
  mac: string;
}

export type ServerFrame = HelloFrame | RequestFrame;

/** Why the agent did not relay a request: its own checks (the first seven) or the network. */
export type RelayErrorCode =
  | "bad_frame"
  | "bad_mac"
  | "bad_seq"
  | "scheme_not_allowed"
  | "host_not_allowed"
  | "method_not_allowed"
  | "request_too_large"
  | "response_too_large"
  | "network"
  | "timeout";

export type AgentHeader =
  /**
   * Part 0 of a response, with its status and headers; `part` of `parts` numbers every envelope, and the
   * receiver assembles them by number (large messages have been seen to overtake each other).
   */
  | { type: "response"; seq: number; part: 0; parts: number; status: number; headers: Header[] }
  | { type: "part"; seq: number; part: number; parts: number }
  | { type: "error"; seq: number; code: RelayErrorCode; message: string };

/** Whether an agent saying `header` (or nothing) speaks a protocol this deployment accepts. */
export function protocolOf(header: string | null | undefined): number | null {
  if (header === null || header === undefined || header === "") return 1;
  return /^\d{1,4}$/.test(header) ? Number(header) : null;
}
export const protocolSupported = (p: number | null): p is number => p !== null && p >= MIN_RELAY_PROTOCOL && p <= RELAY_PROTOCOL;

// ---- credentials ---------------------------------------------------------------------------------

const CREDENTIAL_RE = /^cxr1_(\d{1,12})_([A-Za-z0-9_-]{43})$/;

export const formatCredential = (relayId: number, secret: string): string => `cxr1_${relayId}_${secret}`;

export function parseCredential(credential: string): { relayId: number; secret: string } | null {
  const m = CREDENTIAL_RE.exec(credential.trim());
  return m ? { relayId: Number(m[1]), secret: m[2]! } : null;
}

// ---- keys and frame authentication ----------------------------------------------------------------

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const hmacKey = (key: Uint8Array<ArrayBuffer>, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [usage]);

async function hmacHex(key: Uint8Array<ArrayBuffer>, data: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(key, "sign"), utf8(data)));
}

/** The key request frames are signed with, derived from the credential's secret (hex). */
export const frameKeyOf = (secret: string): Promise<string> => hmacHex(utf8(secret), FRAME_KEY_LABEL);

/** The per-connection key (hex): frames signed for one connection fail on any other. */
export const connKeyOf = (frameKeyHex: string, nonce: string): Promise<string> => hmacHex(hexBytes(frameKeyHex), `conn:${nonce}`);

/** Everything a request frame says, in one canonical string. */
export const macInput = (f: Omit<RequestFrame, "type" | "mac">): string => JSON.stringify([f.seq, f.method, f.url, f.headers, f.body]);

export async function signRequest(connKeyHex: string, f: Omit<RequestFrame, "type" | "mac">): Promise<RequestFrame> {
  return { type: "request", ...f, mac: await hmacHex(hexBytes(connKeyHex), macInput(f)) };
}

/** Constant-time check (WebCrypto's verify) of a request frame's MAC. */
export async function verifyRequest(connKeyHex: string, f: RequestFrame): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(f.mac)) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(hexBytes(connKeyHex), "verify"), hexBytes(f.mac), utf8(macInput(f)));
}

// ---- binary envelopes (agent → server) -------------------------------------------------------------

export function encodeEnvelope(header: AgentHeader, body: Uint8Array = new Uint8Array(0)): Uint8Array<ArrayBuffer> {
  const head = utf8(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + body.length);
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  out.set(body, 4 + head.length);
  return out;
}

export function decodeEnvelope(bytes: Uint8Array): { header: AgentHeader; body: Uint8Array } | null {
  if (bytes.length < 4) return null;
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + len > bytes.length) return null;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as AgentHeader;
    if (typeof header !== "object" || header === null || typeof header.seq !== "number") return null;
    return { header, body: bytes.subarray(4 + len) };
  } catch {
    return null;
  }
}

/** A whole response as numbered envelopes of at most PART_BYTES of body each. */
export function responseEnvelopes(seq: number, status: number, headers: Header[], body: Uint8Array): Uint8Array<ArrayBuffer>[] {
  const parts = Math.max(1, Math.ceil(body.length / PART_BYTES));
  return Array.from({ length: parts }, (_, part) => {
    const chunk = body.subarray(part * PART_BYTES, (part + 1) * PART_BYTES);
    return encodeEnvelope(part === 0 ? { type: "response", seq, part: 0, parts, status, headers } : { type: "part", seq, part, parts }, chunk);
  });
}

export const encodeBody = (body: Uint8Array | null): string | null => (body && body.length ? toBase64(body) : null);
export const decodeBody = (body: string | null): Uint8Array<ArrayBuffer> | null => (body === null ? null : fromBase64(body));
