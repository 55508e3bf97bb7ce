#!/usr/bin/env node
// Records what a release's Durable Objects store, as fixtures for test/upgrade/ (previous-release,
// oldest-release and relay-records load them with this code and drive the tasks to the end). Run at each
// release, for the release being replaced (docs/operations.md "Releasing"):
//
//   node scripts/record-fixtures.mjs <commit> <folder name>     e.g. 05723ba 0.1.0-05723ba
//
// It checks the commit out beside this one (git worktree, shared history), installs its dependencies
// (a link to ours when its lockfile is the same), copies the capture scripts of
// test/fixtures/records/capture/ into it as tests, runs them with that release's own code, and writes
// every `FIXTURE <name> <json>` line they print to test/fixtures/records/<folder name>/<name>.json.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const [commit, folder] = process.argv.slice(2);
if (!commit || !folder) {
  console.error("usage: node scripts/record-fixtures.mjs <commit> <folder name>");
  process.exit(2);
}
const sha = execFileSync("git", ["rev-parse", "--short", commit], { cwd: root, encoding: "utf8" }).trim();
const tree = path.join(process.env.TMPDIR ?? "/tmp", `chaoxing-edge-fixtures-${sha}`);
const captureDir = path.join(root, "test", "fixtures", "records", "capture");
const out = path.join(root, "test", "fixtures", "records", folder);

if (!existsSync(tree)) execFileSync("git", ["worktree", "add", "--detach", tree, sha], { cwd: root, stdio: "inherit" });
try {
  const sameLock = readFileSync(path.join(tree, "package-lock.json"), "utf8") === readFileSync(path.join(root, "package-lock.json"), "utf8");
  if (!existsSync(path.join(tree, "node_modules"))) {
    if (sameLock) symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
    else execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: tree, stdio: "inherit" });
  }
  // The old vitest setup wants the assets folder; the capture serves no page.
  mkdirSync(path.join(tree, "web", "dist", "swagger-ui-dist"), { recursive: true });
  for (const f of ["swagger-ui-bundle.js", "swagger-init.js", "swagger-ui.css"]) {
    const p = path.join(tree, "web", "dist", "swagger-ui-dist", f);
    if (!existsSync(p)) writeFileSync(p, "");
  }
  // The capture scripts, where the release's own tests live (their imports are relative to test/).
  const target = path.join(tree, "test", "fixtures", "records", "capture");
  mkdirSync(target, { recursive: true });
  cpSync(captureDir, target, { recursive: true });
  const hasRelay = existsSync(path.join(tree, "src", "durable", "relay.ts"));
  const captures = readdirSync(target).filter((f) => f.endsWith(".capture.ts") && (hasRelay || !f.startsWith("relay")));
  for (const f of captures) cpSync(path.join(target, f), path.join(target, f.replace(/\.capture\.ts$/, ".zz-capture.test.ts")));

  const run = spawnSync("npx", ["vitest", "run", "test/fixtures/records/capture/", "--reporter=verbose"], {
    cwd: tree,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  // Vitest may put its own prefix before a line a test logged.
  const lines = `${run.stdout}\n${run.stderr}`.split("\n").map((l) => l.match(/FIXTURE (\S+) (\{.*\})\s*$/)).filter((m) => m !== null);
  if (run.status !== 0 || lines.length === 0) {
    console.error(run.stdout.slice(-4000), run.stderr.slice(-4000));
    throw new Error(`the capture failed in ${tree} (exit ${run.status}, ${lines.length} fixtures)`);
  }
  mkdirSync(out, { recursive: true });
  for (const [, name, json] of lines) {
    writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify({ release: folder, commit: sha, ...JSON.parse(json) }, null, 1)}\n`);
    console.log(`wrote ${path.relative(root, path.join(out, `${name}.json`))}`);
  }
} finally {
  if (!process.env.KEEP_FIXTURE_TREE) {
    execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "inherit" });
    rmSync(tree, { recursive: true, force: true });
  }
}
