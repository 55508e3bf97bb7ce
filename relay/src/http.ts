/**
 * The agent's network: node:https (node:http only for the loopback development flag), which never follows
 * redirects — Chaoxing's 302s are signals the deployment must see, Location and every Set-Cookie line
 * included. Bodies are decompressed here and capped while they stream in.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { AGENT_TIMEOUT_MS, MAX_RESPONSE_BODY_BYTES, type Header } from "../../src/shared/relay-wire";
import { PerformError, type Perform } from "./session";

/** Set by the client library or by us, never taken from the frame. */
const DROP_REQUEST = new Set(["host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "accept-encoding"]);
/** Describe the bytes on the wire, not the decoded body we hand back. */
const DROP_RESPONSE = new Set(["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"]);

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 4 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 4 }),
};

function decoder(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

function pairs(raw: string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!DROP_RESPONSE.has(raw[i]!.toLowerCase())) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export function nodePerform(opts: { timeoutMs?: number; maxResponseBytes?: number } = {}): Perform {
  const timeoutMs = opts.timeoutMs ?? AGENT_TIMEOUT_MS;
  const max = opts.maxResponseBytes ?? MAX_RESPONSE_BODY_BYTES;
  return (req) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of req.headers) {
        const key = k.toLowerCase();
        if (!DROP_REQUEST.has(key)) headers[key] = key in headers ? `${headers[key]}, ${v}` : v;
      }
      headers["accept-encoding"] = "gzip, deflate, br";
      if (req.body) headers["content-length"] = String(req.body.length);
      const mod = req.url.protocol === "https:" ? https : http;
      const fail = (e: PerformError) => {
        clearTimeout(deadline);
        reject(e);
      };
      const r = mod.request(req.url, { method: req.method, headers, agent: agents[req.url.protocol as "http:" | "https:"] }, (res) => {
        const unzip = decoder(res.headers["content-encoding"]);
        const stream: Readable = unzip ? res.pipe(unzip) : res;
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on("data", (c: Buffer) => {
          size += c.length;
          if (size > max) {
            res.destroy();
            stream.destroy();
            fail(new PerformError("response_too_large", `response larger than ${max} bytes`));
            return;
          }
          chunks.push(c);
        });
        stream.on("end", () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 502, headers: pairs(res.rawHeaders), body: new Uint8Array(Buffer.concat(chunks)) });
        });
        stream.on("error", (e) => fail(new PerformError("network", e.message)));
      });
      // One deadline for the whole exchange, not an idle timer.
      const deadline = setTimeout(() => r.destroy(new PerformError("timeout", `no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      r.on("error", (e) => fail(e instanceof PerformError ? e : new PerformError("network", e.message)));
      r.end(req.body ? Buffer.from(req.body) : undefined);
    });
}
