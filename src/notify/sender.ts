import type { Transport } from "../chaoxing/transport";

/**
 * Every outbound notification request goes through one sender (like the Chaoxing transport), so tests
 * and the e2e put a capture server in its place. Redirects are never followed: a provider that answers
 * 3xx is answering, and a redirect must not lead a request to a host the target check never saw.
 */
const directSender: Transport = {
  fetch: (req) => fetch(req, { redirect: "manual" }),
};

let override: Transport | null = null;

/** Test hook: route all notification traffic of this isolate through `t` (null restores the network). */
export function setNotifySenderOverride(t: Transport | null): void {
  override = t;
}

const TIMEOUT_MS = 10_000;
const EXCERPT_BYTES = 2048;

/** What a provider answered: its status and the start of its body (never more than a few KB read). */
export interface ProviderAnswer {
  status: number;
  body: string;
}

/** Sends `req` with a timeout; throws on a network failure or timeout (the caller decides about retrying). */
export async function send(req: Request): Promise<ProviderAnswer> {
  const res = await (override ?? directSender).fetch(new Request(req, { signal: AbortSignal.timeout(TIMEOUT_MS) }));
  return { status: res.status, body: await head(res, EXCERPT_BYTES) };
}

/** The first `max` bytes of a body as text: a webhook that answers with megabytes costs nothing more. */
async function head(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const all = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - at);
    all.set(part, at);
    at += part.length;
    if (at >= all.length) break;
  }
  return new TextDecoder().decode(all);
}
