/**
 * The one API client: openapi-fetch typed from the generated `paths` (npm run api:gen). Adds the
 * bearer token, turns error bodies into `ApiFailure`, and sends the user to sign-in on a 401.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type ErrorBody = components["schemas"]["Error"];

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

/** An error answer from the API, with the server's Chinese `detail`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string,
    readonly fieldErrors: ErrorBody["errors"] = [],
  ) {
    super(detail);
  }
}

let onUnauthorized: () => void = () => undefined;
/** The session module decides what a 401 means (sign out and go to /login). */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = tokenStore.get();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // A wrong password at sign-in is also a 401, and must stay on the form.
    if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/auth/login")) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "/" });
api.use(auth);

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === "object" && v !== null && typeof (v as { detail?: unknown }).detail === "string";
}

/** Awaits an openapi-fetch call and returns its data, or throws `ApiFailure`. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw new ApiFailure(0, "网络错误，无法连接服务器", "network");
  }
  if (r.response.ok) return r.data as T;
  const e = r.error;
  if (isErrorBody(e)) throw new ApiFailure(r.response.status, e.detail, e.code, e.errors);
  throw new ApiFailure(r.response.status, `HTTP ${r.response.status}`, "http");
}
