import type { MiddlewareHandler } from "hono";

/** What the JSON API does with request bodies before any route reads one: a size cap, and empty is none. */

/** Past this much, a refused body is not read to its end: whoever sends it is no client of this API. */
const DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * A cap on request bodies, checked before any parsing: from Content-Length, or while a body without one
 * (chunked) streams in; `tooLarge()` is thrown when it is exceeded. A chunked body refused midway is read
 * to its end and dropped before the answer (up to DRAIN_BYTES): otherwise the runtime leaves the rest of
 * it on the keep-alive connection, and the client's next request there got a 503 ("Your worker restarted
 * mid-request", wrangler dev). A `Connection: close` on the answer is not honoured by the runtime, and
 * cancelling the stream does not help either; a body refused by its Content-Length needs nothing.
 */
export function bodyLimit(maxBytes: number, tooLarge: () => Error): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header("Content-Length");
    if (declared !== undefined && c.req.header("Transfer-Encoding") === undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    const reader = body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        while (size <= DRAIN_BYTES) {
          const rest = await reader.read();
          if (rest.done) break;
          size += rest.value.length;
        }
        throw tooLarge();
      }
      parts.push(value);
    }
    if (size === 0) {
      c.req.raw = new Request(c.req.raw, { body: null });
      return next();
    }
    const whole = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  };
}

/**
 * An empty body is no body. `Content-Type: application/json` with nothing after it (a client that sets
 * its headers once for every call) reached the JSON parser and was a 400 "Malformed JSON", even where the
 * operation's body is optional (`POST /api/user/config/test-login`). The request goes on without the
 * Content-Type: an optional body is then absent, a required one missing. Runs after `bodyLimit`, which
 * leaves an empty streamed body as none.
 */
export const emptyBodyIsNone: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  if (raw.headers.has("Content-Type") && (raw.body === null || c.req.header("Content-Length") === "0")) {
    const headers = new Headers(raw.headers);
    headers.delete("Content-Type");
    headers.delete("Content-Length");
    c.req.raw = new Request(raw.url, { method: raw.method, headers });
  }
  return next();
};
