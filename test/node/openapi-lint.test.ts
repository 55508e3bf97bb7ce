import { readFileSync } from "node:fs";
import path from "node:path";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";

// The served document (test/api-drift.test.ts keeps web/src/api/openapi.json equal to
// it) passes a standard lint, so generated SDKs and docs tools take it as it is. Redocly cannot run
// inside workerd, hence this Node project; openapi-core itself sends no telemetry (only the CLI has any).
const file = path.join(import.meta.dirname, "..", "..", "web", "src", "api", "openapi.json");
const source = readFileSync(file, "utf8");

describe("the OpenAPI document", () => {
  it("passes Redocly's recommended rules with no error", async () => {
    const problems = await lintFromString({ source, absoluteRef: file, config: await createConfig({ extends: ["recommended"] }) });
    const errors = problems.filter((p) => p.severity === "error").map((p) => `${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ""})`);
    expect(errors).toEqual([]);
  });
});

// Generated SDKs name their methods from operationId (without one, their methods are unnamed), and a
// public operation says so with `security: []` (Redocly's security-defined: otherwise a reader cannot tell
// public from forgotten).
describe("operations", () => {
  const doc = JSON.parse(source) as { paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>> };
  const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ where: `${m} ${p}`, op })));

  it("each has a unique camelCase operationId", () => {
    const ids = ops.map(({ where, op }) => op.operationId ?? `(none: ${where})`);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.find((o) => o.where === "post /api/tasks/{id}/start")?.op.operationId).toBe("postTasksByIdStart");
  });

  it("public ones say so with an empty security list", () => {
    for (const where of ["post /api/auth/register", "post /api/auth/login", "post /api/auth/forgot-password", "post /api/auth/reset-password"]) {
      expect(ops.find((o) => o.where === where)?.op.security, where).toEqual([]);
    }
  });
});
