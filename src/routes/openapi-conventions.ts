import type { App } from "../types";
import { IGNORED_FIELDS_HEADER } from "../lib/validation";
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
 * Document-wide rules applied once, after every route is registered (the document must pass Redocly's
 * recommended lint: test/node/openapi-lint.test.ts):
 * - an operationId on every operation (generated SDKs name their methods by it);
 * - `security: []` on operations that declare none: they are public, and say so;
 * - the 413 of the body limit (it runs before routing) on every operation that takes a body, and the
 *   header naming the body's unknown fields (src/lib/validation.ts `ignoredFields`) on its successes.
 */
export function applyDocConventions(app: App): void {
  app.openAPIRegistry.registerComponent("headers", "IgnoredFields", {
    description:
      `${IGNORED_FIELDS_HEADER}：请求体中本接口不认识的字段（与 FastAPI/pydantic 一样被忽略，不报错），用于发现拼写错误。` +
      "最多列出 3 个，逗号加空格分隔；嵌套字段以点连接路径（如 channels.slack），每段最多 32 个字符，整项百分号编码；" +
      "更多时最后一项为 +N（其余个数）。没有被忽略的字段时不发送。请求体未通过校验（400）时也不发送。",
    schema: { type: "string", example: "username, tiku_config" },
  });
  const ignored = { [IGNORED_FIELDS_HEADER]: { $ref: "#/components/headers/IgnoredFields" } };
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== "route") continue;
    const r = d.route;
    r.operationId ??= operationIdOf(r.method, r.path);
    r.security ??= [];
    if (!r.request?.body) continue;
    r.responses[413] ??= errors[413];
    // Response objects are shared between operations: each gets its own copy with the header.
    for (const [status, res] of Object.entries(r.responses)) {
      if (status.startsWith("2") && !("$ref" in res)) r.responses[status] = { ...res, headers: { ...res.headers, ...ignored } };
    }
  }
}
