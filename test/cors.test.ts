import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { registerUser } from "./helpers/api";

/**
 * A frontend served from another origin (the origin's own web frontend, say) calls the API with a bearer
 * token: CORS for APP_URL's origin and ALLOWED_ORIGINS, no credentials (no cookies are used), and nothing
 * at all for any other origin.
 */
const OTHER = "https://frontend.example";
const withOrigins = { ...env, ALLOWED_ORIGINS: `${OTHER}, https://second.example` } as unknown as Env;

async function call(path: string, init: RequestInit & { origin?: string }, bindings: Env = withOrigins): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.origin) headers.set("Origin", init.origin);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://api.example${path}`, { ...init, headers }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));

describe("CORS on /api", () => {
  it("answers a preflight from an allowed origin: methods, the bearer and JSON headers, no credentials", async () => {
    for (const origin of [OTHER, "https://second.example", "http://localhost:8000"]) {
      const res = await call("/api/tasks", {
        method: "OPTIONS",
        origin,
        headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
      });
      expect(res.status, origin).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expect(res.headers.get("Access-Control-Allow-Methods")?.split(",")).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "DELETE"]));
      const allowed = res.headers.get("Access-Control-Allow-Headers")!.toLowerCase().split(",").map((h) => h.trim());
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
      expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
      expect(res.headers.get("Vary")).toContain("Origin");
    }
  });

  it("lets an allowed origin read answers, errors and the headers it needs, with a bearer token", async () => {
    const { token } = await registerUser("cors");
    const ok = await call("/api/auth/me", { origin: OTHER, headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(OTHER);
    expect(ok.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(ok.headers.get("Vary")).toContain("Origin");
    const exposed = ok.headers.get("Access-Control-Expose-Headers")!.split(",").map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(["X-Ignored-Fields", "Retry-After", "X-Request-Id", "X-D1-Bookmark"]));
    // An error is readable too, so the frontend can show why.
    const denied = await call("/api/auth/me", { origin: OTHER });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("Access-Control-Allow-Origin")).toBe(OTHER);
    // The security headers still come with every answer.
    expect(ok.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(ok.headers.get("X-Frame-Options")).toBe("DENY");
  });

  it("gives any other origin no CORS header at all, preflight or not", async () => {
    for (const origin of ["https://evil.example", "null", "http://localhost:8001", `${OTHER}.evil.example`]) {
      const pre = await call("/api/tasks", { method: "OPTIONS", origin, headers: { "Access-Control-Request-Method": "POST" } });
      expect(corsHeaders(pre), origin).toEqual([]);
      expect(pre.status).not.toBe(204);
      const get = await call("/api/health", { origin });
      expect(get.status).toBe(200);
      expect(corsHeaders(get), origin).toEqual([]);
      // The answer depends on the Origin: shared caches must keep them apart.
      expect(get.headers.get("Vary")).toContain("Origin");
    }
    // Without ALLOWED_ORIGINS only APP_URL's origin is allowed.
    const res = await call("/api/health", { origin: OTHER }, env);
    expect(corsHeaders(res)).toEqual([]);
    expect((await call("/api/health", { origin: "http://localhost:8000" }, env)).headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:8000");
  });

  it("is only on /api: the dashboard's files and the live sockets are not cross-origin resources", async () => {
    const ws = await call("/ws/connect", { origin: OTHER });
    expect(corsHeaders(ws)).toEqual([]);
  });
});
