// `npm run api:gen`: writes the OpenAPI document the worker serves at /api/openapi.json, and the types
// generated from it, into web/src/api/ — without a running server. The app is bundled for Node with
// esbuild and asked for the document through Hono's `app.request`. test/api-drift.test.ts fails when
// the committed copy differs from what the worker serves, so re-run this after changing any route.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const outDir = path.join(root, "web", "src", "api");
const tmp = mkdtempSync(path.join(tmpdir(), "gen-api-"));
const bundle = path.join(tmp, "app.mjs");

// `cloudflare:*` modules exist only in workerd. Durable Object classes extend them at import time, so
// Node gets a stub: building the document never runs them.
const stub = "export class DurableObject {} export class WorkerEntrypoint {} export const env = {};";
register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(s, c, next) {
      return s.startsWith("cloudflare:") ? { url: "data:text/javascript,${encodeURIComponent(stub)}", shortCircuit: true } : next(s, c);
    }`),
);

try {
  execFileSync(
    bin("esbuild"),
    [path.join(root, "src", "app.ts"), "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--external:cloudflare:*", `--outfile=${bundle}`],
    { cwd: root, stdio: "inherit" },
  );
  const { createApp } = await import(pathToFileURL(bundle).href);
  const res = await createApp().request("/api/openapi.json");
  if (res.status !== 200) throw new Error(`/api/openapi.json answered ${res.status}`);
  const doc = await res.json();
  const jsonPath = path.join(outDir, "openapi.json");
  writeFileSync(jsonPath, JSON.stringify(doc, null, 2) + "\n");
  execFileSync(bin("openapi-typescript"), [jsonPath, "-o", path.join(outDir, "schema.d.ts"), "--root-types"], { cwd: root, stdio: "inherit" });
  console.log(`api:gen: ${Object.keys(doc.paths).length} paths → web/src/api/{openapi.json,schema.d.ts}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
