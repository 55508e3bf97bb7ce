#!/usr/bin/env node
// `npm run deploy` (and db:migrate:remote, make-admin --remote): the operator's deploy.env checked and laid
// over wrangler.toml (scripts/deploy-config.mjs), written to wrangler.deploy.json, then wrangler with it.
//
//   node scripts/deploy.mjs check             the checks only (nothing written)
//   node scripts/deploy.mjs deploy [args]     wrangler deploy (args passed on, e.g. --dry-run --outdir DIR)
//   node scripts/deploy.mjs migrate           wrangler d1 migrations apply DB --remote
//
// DEPLOY_ENV_FILE names another settings file (default deploy.env).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deployConfig, deployProblems, parseEnvFile } from "./deploy-config.mjs";

const root = path.resolve(import.meta.dirname, "..");
export const DEPLOY_CONFIG = path.join(root, "wrangler.deploy.json");

/** The checked configuration, written (unless `write` is false); exits with the problems when there are any. */
export async function writeDeployConfig(write = true) {
  const file = path.resolve(root, process.env.DEPLOY_ENV_FILE ?? "deploy.env");
  if (!existsSync(file)) {
    console.error(`${path.relative(root, file)} is missing: copy deploy.example.env to deploy.env and fill it in (README "Deploying to Cloudflare").`);
    process.exit(1);
  }
  let settings;
  try {
    settings = parseEnvFile(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: path.join(root, "wrangler.toml") });
  const problems = deployProblems(settings, rawConfig.vars ?? {});
  if (problems.length) {
    console.error(`Not deploying: ${path.relative(root, file)} needs these settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  if (write) writeFileSync(DEPLOY_CONFIG, `${JSON.stringify(deployConfig(rawConfig, settings), null, 2)}\n`);
  return DEPLOY_CONFIG;
}

function wrangler(args) {
  const r = spawnSync(path.join(root, "node_modules", ".bin", "wrangler"), args, { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command = "deploy", ...args] = process.argv.slice(2);
  if (!["check", "deploy", "migrate"].includes(command)) {
    console.error("usage: node scripts/deploy.mjs check | deploy [wrangler args] | migrate");
    process.exit(2);
  }
  const config = await writeDeployConfig(command !== "check");
  if (command === "check") console.log("The deploy settings are complete.");
  else if (command === "deploy") wrangler(["deploy", "-c", config, ...args]);
  else wrangler(["d1", "migrations", "apply", "DB", "--remote", "-c", config]);
}
