/**
 * The one API client: openapi-fetch typed from the generated `paths` (npm run api:gen). Adds the
 * bearer token, turns error bodies into `ApiFailure`, fails at once while the browser is offline,
 * reports a session that ended (401, or 403 `account_disabled`) with the server's code, and sends back
 * the D1 bookmark of the last answer (api/bookmark.ts).
 */
import createClient, { type Middleware } from "openapi-fetch";
import { bookmarkMiddleware } from "./bookmark";
import { dropEarly, takeEarly } from "./early";
import type { components, paths } from "./schema";

export type ErrorBody = components["schemas"]["Error"];
/**
 * A field error. `code` (zod's issue code) and `params` (`minimum`, `maximum`…) are being added by the
 * server; until they arrive only `field` and the Chinese `message` are there.
 */
export type FieldError = ErrorBody extends { errors?: (infer F)[] } ? F & { code?: string; params?: Record<string, string | number> } : never;

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
/** The success body of `method path`, read from the OpenAPI types. */
export type Res<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? JsonOf<R[200 & keyof R]> | JsonOf<R[201 & keyof R]>
  : never;
/** The JSON request body of `method path`. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

const TOKEN_KEY = "cx.token";
export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (t: string) => localStorage.setItem(TOKEN_KEY, t),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/**
 * An error answer from the API. `detail` is the server's Chinese sentence; the dashboard shows its own
 * text for `code` (api/errors.ts). Codes made here: `offline` (never sent), `network` (no answer),
 * `http` (an answer without our error body).
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string,
    readonly fieldErrors: FieldError[] = [],
    /** Seconds from `Retry-After` (429). */
    readonly retryAfter: number | null = null,
    /** `task_state`: the status the task is in now. */
    readonly taskStatus: string | null = null,
    /** `relay_required`: the dashboard page where the user fixes it. */
    readonly link: string | null = null,
  ) {
    super(detail);
  }
}

let onSessionEnd: (code: string) => void = () => undefined;
/** The app decides what a dead session means (sign out, say why on the sign-in page). */
export function setSessionEndHandler(fn: (code: string) => void) {
  onSessionEnd = fn;
}

/** Thrown before the request goes out: an action while offline fails now, it is never queued. */
class OfflineError extends Error {}

/** Paths where a 401/403 is about the credentials typed in, not about the session. */
const CREDENTIAL_PATHS = ["/api/auth/login", "/api/auth/register", "/api/auth/reset-password"];

const auth: Middleware = {
  onRequest({ request }) {
    if (!navigator.onLine) throw new OfflineError();
    const token = tokenStore.get();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ response, request }) {
    const ended = response.status === 401 || response.status === 403;
    if (!ended || CREDENTIAL_PATHS.includes(new URL(request.url).pathname)) return response;
    const body: unknown = await response.clone().json().catch(() => null);
    const code = isErrorBody(body) ? body.code : "unauthorized";
    // A 403 is a session end only when the account itself was disabled; otherwise it is "not allowed".
    if (response.status === 401 || code === "account_disabled") onSessionEnd(code);
    return response;
  },
};

// A read public/early.js already started is taken rather than asked for again (api/early.ts); after a
// write, none is: they were read before it.
export const api = createClient<paths>({
  baseUrl: "/",
  fetch: (req) => {
    if (req.method !== "GET") dropEarly();
    return takeEarly(req) ?? fetch(req);
  },
});
api.use(auth, bookmarkMiddleware(sessionStorage));

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === "object" && v !== null && typeof (v as { detail?: unknown }).detail === "string" && typeof (v as { code?: unknown }).code === "string";
}

/** Awaits an openapi-fetch call and returns its data, or throws `ApiFailure`. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch (e) {
    const offline = e instanceof OfflineError || !navigator.onLine;
    throw new ApiFailure(0, "", offline ? "offline" : "network");
  }
  if (r.response.ok) return r.data as T;
  const e = r.error;
  const retry = Number(r.response.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  if (isErrorBody(e)) throw new ApiFailure(r.response.status, e.detail, e.code, (e.errors ?? []) as FieldError[], retryAfter, e.status ?? null, e.link ?? null);
  throw new ApiFailure(r.response.status, "", "http", [], retryAfter);
}
