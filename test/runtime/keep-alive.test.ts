import http from "node:http";
import { describe, expect, it } from "vitest";
import { call, useApp } from "./app";

const app = useApp();

interface Sent {
  what: string;
  status: number | null;
  /** The app answered it: its own request id and a JSON body. A runtime's 503 or a reset socket is a drop. */
  answered: boolean;
  detail?: string;
  error?: string;
}

/**
 * One request on the shared keep-alive agent. `body` is written in chunks without a Content-Length
 * (`chunked`) or with one; the answer counts once the response arrives, whatever happens to the rest of
 * the upload (the server may stop reading it).
 */
function send(agent: http.Agent, port: number, method: string, path: string, opts: { token?: string; type?: string; body?: Buffer; chunked?: boolean }): Promise<Sent> {
  const what = `${method} ${path} ${opts.type ?? "-"} ${opts.body ? `${opts.body.length} B${opts.chunked ? " chunked" : ""}` : "no body"}`;
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.type) headers["Content-Type"] = opts.type;
    if (opts.body && !opts.chunked) headers["Content-Length"] = String(opts.body.length);
    let settled = false;
    const done = (s: Sent) => {
      if (!settled) resolve(s);
      settled = true;
    };
    const req = http.request({ agent, host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        let json: { detail?: unknown } | null = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { detail?: unknown };
        } catch {
          // not JSON: not the app's answer
        }
        const detail = typeof json?.detail === "string" ? json.detail : undefined;
        done({ what, status: res.statusCode ?? null, answered: json !== null && res.headers["x-request-id"] !== undefined, detail });
      });
      res.on("error", (e) => done({ what, status: res.statusCode ?? null, answered: false, error: e.message }));
    });
    req.on("error", (e) => done({ what, status: null, answered: false, error: e.message }));
    if (opts.body && opts.chunked) {
      // 16 KiB at a time, as a client streaming a large body would.
      for (let i = 0; i < opts.body.length; i += 16_384) req.write(opts.body.subarray(i, i + 16_384));
      req.end();
    } else req.end(opts.body);
  });
}

// A body refused with 413 while it was still being sent (chunked, no Content-Length) used to leave the rest
// of it on the connection, and the next request on that keep-alive connection got the runtime's 503.
describe("one keep-alive connection", () => {
  it("answers every request of a fuzz of every operation, oversized chunked bodies included: none is dropped", async () => {
    const a = app();
    const doc = (await call(a, "GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ method: m.toUpperCase(), path: p.replace("{id}", "999999"), body: !!op.requestBody })));
    expect(ops.length).toBeGreaterThan(40);

    const password = "password123";
    const username = `fuzz${Date.now().toString(36)}`;
    let token: string = (await call(a, "POST", "/api/auth/register", { body: { username, email: `${username}@example.com`, password } })).body.access_token;
    const big = Buffer.from(JSON.stringify({ pad: "x".repeat(300 * 1024) }));
    const bodies = [
      {},
      { type: "application/json", body: Buffer.from("{}") },
      { type: "application/json", body: Buffer.from("{") },
      { type: "application/json", body: Buffer.alloc(0) },
      { type: "text/plain", body: Buffer.from("hello") },
      { type: "application/json", body: big, chunked: true },
      { type: "application/json", body: big },
    ];
    // A chunked body on a GET or DELETE never reaches the worker (its `body` is null there), and the local
    // runtime then reads what is left of it as the next request (501): nothing a worker can drain. No
    // client of this API sends one; those methods get every other shape.
    const carries = (method: string) => method !== "GET" && method !== "DELETE";
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sent: Sent[] = [];
    try {
      for (const op of ops) {
        for (const b of bodies.filter((x) => !x.chunked || carries(op.method))) {
          const r = await send(agent, a.port, op.method, op.path, { token, ...b });
          sent.push(r);
          // Logout and refresh end this token (each as it should): sign in again, on the same connection.
          if (r.status === 401) {
            const again = await send(agent, a.port, "POST", "/api/auth/login", { type: "application/json", body: Buffer.from(JSON.stringify({ username, password })) });
            sent.push(again);
            token = (await call(a, "POST", "/api/auth/login", { body: { username, password } })).body.access_token ?? token;
          }
        }
      }
    } finally {
      agent.destroy();
    }
    const dropped = sent.filter((s) => !s.answered).map((s) => `${s.what} → ${s.status ?? s.error}`);
    expect({ requests: sent.length, dropped }).toEqual({ requests: sent.length, dropped: [] });
    // An empty body is no body: never "Malformed JSON" (in the real runtime too).
    expect(sent.filter((s) => s.what.endsWith("application/json 0 B") && s.detail?.includes("Malformed JSON")).map((s) => s.what)).toEqual([]);
    // The oversized bodies were refused as such.
    expect(sent.filter((s) => s.what.includes(`${big.length} B`) && s.what.startsWith("POST /api/tasks ")).map((s) => s.status)).toEqual([413, 413]);
  });
});
