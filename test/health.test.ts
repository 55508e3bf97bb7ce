import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { VERSION } from "../src/version";
import { api } from "./helpers/api";

// /api/health checks what the app cannot work without: D1, a Durable Object round trip and the
// notification queue's binding, and says which failed (503), for an uptime monitor.

async function healthWith(broken: Partial<Env>) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request("http://localhost/api/health"), { ...env, ...broken }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as { status: string; failed: string[]; checks: Record<string, { ok: boolean; error: string | null }> } };
}

describe("GET /api/health", () => {
  it("answers ok with the version and each check passed", async () => {
    const r = await api("GET", "/api/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "ok",
      version: VERSION,
      failed: [],
      checks: { d1: { ok: true, error: null }, durable_objects: { ok: true, error: null }, queue: { ok: true, ms: null, error: null } },
    });
    expect(typeof r.body.checks.d1.ms).toBe("number");
  });

  it("says which check failed, with 503: D1 down", async () => {
    const r = await healthWith({ DB: { prepare: () => ({ first: () => Promise.reject(new Error("D1 is down")) }) } as unknown as D1Database });
    expect(r).toMatchObject({ status: 503, body: { status: "error", failed: ["d1"], checks: { d1: { ok: false, error: "error" }, durable_objects: { ok: true } } } });
  });

  it("says which check failed, with 503: the object namespace unreachable, the queue not bound", async () => {
    const hubs = { getByName: () => ({ ping: () => Promise.reject(new Error("overloaded")) }) } as unknown as Env["HUBS"];
    const r = await healthWith({ HUBS: hubs, NOTIFY_QUEUE: undefined as unknown as Env["NOTIFY_QUEUE"] });
    expect(r).toMatchObject({ status: 503, body: { status: "error", failed: ["durable_objects", "queue"], checks: { d1: { ok: true } } } });
  });

  it("/api/health/live answers without touching any storage", async () => {
    const r = await api("GET", "/api/health/live");
    expect(r).toMatchObject({ status: 200, body: { status: "ok" } });
  });
});
