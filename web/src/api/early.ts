/**
 * The answers public/early.js asked for before the app's code arrived: a GET the app makes for the same
 * address with the same token takes its answer instead of asking again (once; not after it went stale).
 */
interface Early {
  auth: string;
  at: number;
  res: Promise<Response>;
}

declare global {
  interface Window {
    __cxEarly?: Record<string, Early>;
  }
}

/** An early answer is only as good as the moment it was read: past this, the app asks again. */
const FRESH_MS = 20_000;

export function takeEarly(req: Request): Promise<Response> | null {
  const all = window.__cxEarly;
  const e = all?.[req.url];
  if (!all || !e || req.method !== "GET") return null;
  delete all[req.url];
  if (e.auth !== req.headers.get("Authorization") || Date.now() - e.at > FRESH_MS) return null;
  return e.res;
}

/**
 * Forgets the early answers: read before a change the app just made (a write, or a poll that bound the
 * account), they would show the state from before it to the refetch that follows.
 */
export function dropEarly(): void {
  delete window.__cxEarly;
}
