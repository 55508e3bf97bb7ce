/**
 * One connection's worth of the agent's protocol, free of Node APIs so the workerd tests drive the same
 * code: the `hello`, then each request frame checked (MAC, sequence, policy) before it is performed, and
 * the answer as binary envelopes. The network itself is injected (`perform`): node:https in the real
 * agent (http.ts), the simulator in tests.
 */
import {
  connKeyOf, decodeBody, MAX_RESPONSE_BODY_BYTES, RELAY_PROTOCOL, responseEnvelopes, encodeEnvelope, verifyRequest,
  type Header, type RelayErrorCode, type RequestFrame, type ServerFrame,
} from "../../src/shared/relay-wire";
import { checkRequest, type PolicyOptions } from "./policy";

export interface Outbound {
  method: string;
  url: URL;
  headers: Header[];
  body: Uint8Array | null;
}

export interface Inbound {
  status: number;
  /** Every header line as received (each Set-Cookie on its own), minus transfer encodings. */
  headers: Header[];
  /** Decoded (not compressed) body. */
  body: Uint8Array;
}

/** A request the network could not answer, or answered with more than the cap. */
export class PerformError extends Error {
  constructor(
    readonly code: Extract<RelayErrorCode, "network" | "timeout" | "response_too_large">,
    message: string,
  ) {
    super(message);
  }
}

export type Perform = (req: Outbound) => Promise<Inbound>;

/** One line of the agent's log: what it relayed or refused (never cookies, bodies, or query strings). */
export interface RelayEvent {
  method: string;
  host: string;
  path: string;
  status: number | null;
  refused: RelayErrorCode | null;
  ms: number;
}

export interface SessionOptions {
  policy: PolicyOptions;
  perform: Perform;
  onEvent?: (e: RelayEvent) => void;
  now?: () => number;
}

const isHeaders = (v: unknown): v is Header[] =>
  Array.isArray(v) && v.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === "string" && typeof h[1] === "string");

function parseFrame(raw: string): ServerFrame | null {
  try {
    const f = JSON.parse(raw) as Partial<ServerFrame> | null;
    if (f?.type === "hello" && typeof f.nonce === "string" && f.nonce.length >= 16) return f as ServerFrame;
    if (
      f?.type === "request" && Number.isSafeInteger(f.seq) && typeof f.method === "string" && typeof f.url === "string" &&
      isHeaders(f.headers) && (f.body === null || typeof f.body === "string") && typeof f.mac === "string"
    ) return f as ServerFrame;
  } catch {
    // not JSON
  }
  return null;
}

export class AgentSession {
  private connKey: string | null = null;
  private lastSeq = 0;
  /** Frames are admitted (MAC, sequence) one at a time in arrival order; performing them overlaps. */
  private admitting: Promise<unknown> = Promise.resolve();
  /** The server's hello, once received. */
  hello: { relayId: number; name: string } | null = null;

  constructor(
    private readonly frameKey: string,
    private readonly opts: SessionOptions,
  ) {}

  /**
   * One text frame from the server; resolves to the binary frames to send back (none for a hello or for
   * what is not a frame at all). Throws on a protocol the agent does not speak.
   */
  async handle(raw: string): Promise<Uint8Array[]> {
    const f = parseFrame(raw);
    if (!f) return [];
    const admitted = this.admitting.then(() => this.admit(f));
    this.admitting = admitted.catch(() => undefined);
    const refusal = await admitted;
    if (f.type === "hello") return [];
    return refusal ? this.refuse(f, refusal.code, refusal.message) : this.request(f);
  }

  /** The hello sets the connection key; a request must carry its MAC and the next sequence number. */
  private async admit(f: ServerFrame): Promise<{ code: RelayErrorCode; message: string } | null> {
    if (f.type === "hello") {
      if (f.protocol !== RELAY_PROTOCOL) throw new Error(`the deployment speaks relay protocol ${f.protocol}, this agent ${RELAY_PROTOCOL}: download the agent again`);
      // One hello per connection: a second one could restart the sequence for a replay.
      if (!this.connKey) {
        this.connKey = await connKeyOf(this.frameKey, f.nonce);
        this.hello = { relayId: f.relay_id, name: f.name };
      }
      return null;
    }
    if (!this.connKey || !(await verifyRequest(this.connKey, f))) return { code: "bad_mac", message: "frame not signed for this connection" };
    // Strictly increasing: a frame replayed within the connection is refused too.
    if (f.seq <= this.lastSeq) return { code: "bad_seq", message: `sequence ${f.seq} after ${this.lastSeq}` };
    this.lastSeq = f.seq;
    return null;
  }

  private refuse(f: RequestFrame, code: RelayErrorCode, message: string, host = ""): Uint8Array[] {
    this.opts.onEvent?.({ method: f.method, host, path: "", status: null, refused: code, ms: 0 });
    return [encodeEnvelope({ type: "error", seq: f.seq, code, message })];
  }

  private async request(f: RequestFrame): Promise<Uint8Array[]> {
    const now = this.opts.now ?? Date.now;
    const t0 = now();
    let body: Uint8Array | null;
    try {
      body = decodeBody(f.body);
    } catch {
      return this.refuse(f, "bad_frame", "body is not base64");
    }
    const checked = checkRequest(f, body?.length ?? 0, this.opts.policy);
    if ("code" in checked) {
      let host = "";
      try {
        host = new URL(f.url).host;
      } catch {
        // not a URL: nothing to show
      }
      return this.refuse(f, checked.code, checked.message, host);
    }
    const { url } = checked;
    const event = (status: number | null, refused: RelayErrorCode | null) =>
      this.opts.onEvent?.({ method: f.method, host: url.host, path: url.pathname, status, refused, ms: now() - t0 });
    try {
      const res = await this.opts.perform({ method: f.method, url, headers: f.headers, body });
      if (res.body.length > MAX_RESPONSE_BODY_BYTES) throw new PerformError("response_too_large", `response larger than ${MAX_RESPONSE_BODY_BYTES} bytes`);
      event(res.status, null);
      return responseEnvelopes(f.seq, res.status, res.headers, res.body);
    } catch (e) {
      const err = e instanceof PerformError ? e : new PerformError("network", e instanceof Error ? e.message : String(e));
      event(null, err.code);
      return [encodeEnvelope({ type: "error", seq: f.seq, code: err.code, message: err.message })];
    }
  }
}
