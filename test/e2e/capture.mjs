// The notification capture server of the e2e run: stands in for a user's webhook receiver. The app is
// allowed to reach it only because the run says so (NOTIFY_ALLOWED_ORIGINS), never by default.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

export async function startCapture(port) {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"received":true}');
    });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    /** The first request whose JSON body matches, waiting up to `timeout` ms for it. */
    async waitFor(match, timeout = 60_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const hit = requests.find((r) => {
          try {
            return match(JSON.parse(r.body));
          } catch {
            return false;
          }
        });
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching notification in ${timeout / 1000} s (got ${requests.length})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The README's check of a generic webhook: HMAC-SHA256 over `<timestamp>.<raw body>`. */
export function signatureValid(req, secret) {
  const ts = req.headers["x-chaoxing-edge-timestamp"];
  const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${req.body}`).digest("hex")}`;
  const got = String(req.headers["x-chaoxing-edge-signature"] ?? "");
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}
