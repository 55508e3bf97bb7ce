import type { App } from "../app";
import { errors } from "./schemas";

const pascal = (word: string): string =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

/**
 * `get /api/tasks/{id}/logs` → `getTasksByIdLogs`: derived from method and path, so it is stable
 * while the route is, and every route (new ones too) gets one without writing it (a route may still
 * set its own).
 */
export function operationIdOf(method: string, path: string): string {
  const parts = path
    .replace(/^\/api\//, "")
    .split("/")
    .map((seg) => (seg.startsWith("{") ? `By${pascal(seg.slice(1, -1))}` : pascal(seg)));
  return method.toLowerCase() + parts.join("");
}

/**
 * Document-wide rules applied once, after every route is registered (issue 11 rows 13 and 18):
 * - an operationId on every operation (generated SDKs name their methods by it);
 * - `security: []` on operations that declare none: they are public, and say so;
 * - the 413 of the body limit (it runs before routing) on every operation that takes a body.
 */
export function applyDocConventions(app: App): void {
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== "route") continue;
    const r = d.route;
    r.operationId ??= operationIdOf(r.method, r.path);
    r.security ??= [];
    if (r.request?.body) r.responses[413] ??= errors[413];
  }
}
