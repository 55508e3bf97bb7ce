import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** One HTTP call to the worker through its public surface. */
export async function api<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.form) {
    headers["Content-Type"] ??= "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers["Content-Type"] ??= "application/json";
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  // Through the worker's own fetch handler, then wait for its waitUntil work (mail, mirrors) to settle.
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://localhost:8000${path}`, { method, headers, body }), env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* non-JSON body (HTML, image) stays text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

let seq = 0;
/** A fresh, unique user; returns its token and user object. */
export async function registerUser(prefix = "u", password = "password123") {
  const username = `${prefix}${Date.now().toString(36)}${seq++}`;
  const res = await api("POST", "/api/auth/register", {
    body: { username, email: `${username}@example.com`, password },
    headers: { "CF-Connecting-IP": `10.0.${seq % 250}.${(seq * 7) % 250}` },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.access_token as string, user: res.body.user as { id: number; username: string; email: string }, password };
}

export async function makeAdmin(userId: number): Promise<void> {
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(userId).run();
}

export async function registerAdmin() {
  const u = await registerUser("admin");
  await makeAdmin(u.user.id);
  return u;
}
