import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

/** Seed endpoints built so far; each later issue adds its own here. */
export const SEED_ENDPOINTS: [string, string][] = [
  ["post", "/api/auth/register"],
  ["post", "/api/auth/login"],
  ["post", "/api/auth/logout"],
  ["get", "/api/auth/me"],
  ["post", "/api/auth/forgot-password"],
  ["post", "/api/auth/reset-password"],
  ["get", "/api/user/config"],
  ["put", "/api/user/config"],
  ["put", "/api/user/password"],
  ["get", "/api/user/profile"],
  ["get", "/api/tasks"],
  ["post", "/api/tasks"],
  ["get", "/api/tasks/{id}"],
  ["post", "/api/tasks/{id}/start"],
  ["post", "/api/tasks/{id}/pause"],
  ["post", "/api/tasks/{id}/resume"],
  ["post", "/api/tasks/{id}/cancel"],
  ["post", "/api/tasks/{id}/retry"],
  ["delete", "/api/tasks/{id}"],
  ["get", "/api/tasks/{id}/logs"],
  ["get", "/api/courses/list"],
  ["get", "/api/admin/users"],
  ["get", "/api/admin/users/{id}"],
  ["put", "/api/admin/users/{id}"],
  ["delete", "/api/admin/users/{id}"],
  ["get", "/api/admin/tasks"],
  ["post", "/api/admin/tasks/{id}/force-stop"],
  ["get", "/api/admin/statistics"],
];

describe("OpenAPI document and Swagger UI", () => {
  it("serves an OpenAPI 3.1 document listing every seed endpoint built so far", async () => {
    const r = await api("GET", "/api/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    for (const [method, path] of SEED_ENDPOINTS) {
      expect(r.body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(r.body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(r.body.paths["/api/auth/me"].get.security).toEqual([{ bearerAuth: [] }]);
    // Login documents both the JSON body and the OAuth2 password form.
    expect(Object.keys(r.body.paths["/api/auth/login"].post.requestBody.content)).toEqual(["application/json", "application/x-www-form-urlencoded"]);
  });

  it("documents the 413 of the body limit on every operation that takes a body", async () => {
    const r = await api("GET", "/api/openapi.json");
    const ops = Object.values(r.body.paths as Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>).flatMap((p) => Object.values(p));
    const withBody = ops.filter((o) => o.requestBody);
    expect(withBody.length).toBeGreaterThan(5);
    for (const o of withBody) expect(o.responses["413"]).toBeDefined();
  });

  it("serves Swagger UI from our own assets, so it renders offline", async () => {
    const r = await api("GET", "/api/docs");
    expect(r.status).toBe(200);
    expect(r.body).toContain("/swagger-ui-dist/swagger-ui-bundle.js");
    expect(r.body).toContain("/swagger-ui-dist/swagger-init.js");
    expect(r.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const bundle = await env.ASSETS.fetch("http://localhost/swagger-ui-dist/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const init = await env.ASSETS.fetch("http://localhost/swagger-ui-dist/swagger-init.js");
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('url: "/api/openapi.json"');
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const r = await api("GET", "/api/nope");
    expect(r).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});
