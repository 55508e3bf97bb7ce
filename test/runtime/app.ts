import { rmSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
// @ts-expect-error: plain ESM of the e2e harness, no type declarations
import { startApp } from "../e2e/harness.mjs";

export interface RunningApp {
  /** http://localhost:<port> */
  base: string;
  port: number;
  sim: string;
  /** Everything the app (wrangler, workerd, the simulator) printed so far. */
  log(): string;
}

/**
 * The app as `npm run dev` runs it (scripts/dev.mjs: local wrangler, D1 migrated, the simulator), on free
 * ports with a fresh state, for the tests that need the real runtime: what its log shows, how its HTTP
 * server treats a connection. One per test file.
 */
export function useApp(): () => RunningApp {
  let app: (RunningApp & { stop(): void; persistDir: string }) | null = null;
  beforeAll(async () => {
    app = await startApp({ build: false });
  }, 240_000);
  afterAll(() => {
    app?.stop();
    if (app) rmSync(app.persistDir, { recursive: true, force: true });
  });
  return () => {
    if (!app) throw new Error("the app did not start");
    return app;
  };
}

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
}

export async function call(app: RunningApp, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${app.base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body };
}

/** Opens a WebSocket and resolves with its first message (the server's `connected`, `task_update` or `hello`). */
export function firstMessage(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once("message", (data) => resolve({ ws, first: JSON.parse(String(data)) }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}
