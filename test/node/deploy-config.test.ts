import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deployConfig, deployProblems, parseEnvFile } from "../../scripts/deploy-config.mjs";

// An operator's settings live in deploy.env, not in the tracked wrangler.toml, and `npm run deploy`
// refuses what would ship a development value (README "Deploying to Cloudflare"): the placeholder
// database id, a localhost APP_URL, the `log` mail sender.

const root = path.resolve(import.meta.dirname, "../..");
const template = readFileSync(path.join(root, "deploy.example.env"), "utf8");
const VARS = { APP_URL: "http://localhost:8000", MAIL_SENDER: "log", MAIL_FROM: "chaoxing-edge <noreply@example.com>", NOTIFY_ALLOWED_ORIGINS: "", RELAY_DEV_ORIGIN: "", ALLOWED_ORIGINS: "", MAX_RUNNING_TASKS: "3" };
const GOOD = { D1_DATABASE_ID: "4b1c2d3e-0000-4000-8000-1234567890ab", APP_URL: "https://cx.example.org", MAIL_SENDER: "resend", MAIL_FROM: "cx <noreply@cx.example.org>" };
const named = (problems: string[], ...keys: string[]) => expect(problems.map((p) => p.split(/[ :]/)[0])).toEqual(keys);

describe("deploy.env checks", () => {
  it("the template as it is refuses to deploy, naming each development value and what to set", () => {
    const problems = deployProblems(parseEnvFile(template), VARS);
    named(problems, "D1_DATABASE_ID", "APP_URL", "MAIL_SENDER");
    expect(problems.join("\n")).toContain("npx wrangler d1 create");
    expect(problems.join("\n")).toContain("https://");
    expect(problems.join("\n")).toContain("MAIL_SENDER=resend");
  });

  it("complete production settings pass", () => {
    expect(deployProblems(GOOD, VARS)).toEqual([]);
  });

  it("a localhost or plain-http APP_URL, the log sender, an unverified sender, a private notify origin and the relay's development origin are refused in production", () => {
    for (const APP_URL of ["http://localhost:8000", "https://127.0.0.1", "http://cx.example.org", "cx.example.org"]) named(deployProblems({ ...GOOD, APP_URL }, VARS), "APP_URL");
    named(deployProblems({ ...GOOD, MAIL_SENDER: "log" }, VARS), "MAIL_SENDER");
    named(deployProblems({ ...GOOD, MAIL_FROM: "x <noreply@example.com>" }, VARS), "MAIL_FROM");
    named(deployProblems({ ...GOOD, NOTIFY_ALLOWED_ORIGINS: "http://127.0.0.1:9123" }, VARS), "NOTIFY_ALLOWED_ORIGINS");
    named(deployProblems({ ...GOOD, RELAY_DEV_ORIGIN: "http://127.0.0.1:8001" }, VARS), "RELAY_DEV_ORIGIN");
    expect(deployProblems({ ...GOOD, ENVIRONMENT: "development", RELAY_DEV_ORIGIN: "http://127.0.0.1:8001" }, VARS)).toEqual([]);
  });

  it("a development deployment may use localhost and the log, never the placeholder database", () => {
    expect(deployProblems({ ENVIRONMENT: "development", D1_DATABASE_ID: GOOD.D1_DATABASE_ID }, VARS)).toEqual([]);
    named(deployProblems({ ENVIRONMENT: "development", D1_DATABASE_ID: "00000000-0000-0000-0000-000000000000" }, VARS), "D1_DATABASE_ID");
    named(deployProblems({ ...GOOD, ENVIRONMENT: "staging" }, VARS), "ENVIRONMENT");
  });

  it("a secret or an unknown name in the file is refused", () => {
    named(deployProblems({ ...GOOD, JWT_SECRET: "x".repeat(40) }, VARS), "JWT_SECRET");
    named(deployProblems({ ...GOOD, APP_ULR: "https://typo.example.org" }, VARS), "APP_ULR");
    expect(() => parseEnvFile("APP_URL https://x")).toThrow(/line 1/);
  });

  it("the deployed configuration is wrangler.toml's with the settings laid over it", () => {
    const raw = { name: "chaoxing-edge", vars: { ...VARS }, d1_databases: [{ binding: "DB", database_id: "00000000-0000-0000-0000-000000000000" }] };
    const out = deployConfig(raw, { ...GOOD, WORKER_NAME: "cx-mine" });
    expect(out).toMatchObject({ name: "cx-mine", vars: { APP_URL: GOOD.APP_URL, MAIL_SENDER: "resend", MAX_RUNNING_TASKS: "3" }, d1_databases: [{ database_id: GOOD.D1_DATABASE_ID }] });
    expect(raw.vars.APP_URL).toBe("http://localhost:8000");
  });
});

describe("node scripts/deploy.mjs check (what npm run deploy runs first)", () => {
  const run = (file: string) =>
    spawnSync(process.execPath, [path.join(root, "scripts", "deploy.mjs"), "check"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DEPLOY_ENV_FILE: file, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      timeout: 60_000,
    });

  it("exits non-zero with the template, saying what to set; zero with complete settings", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "deploy-env-"));
    const refused = run(path.join(root, "deploy.example.env"));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("Not deploying");
    expect(refused.stderr).toMatch(/D1_DATABASE_ID[\s\S]*APP_URL[\s\S]*MAIL_SENDER is log/);
    const good = path.join(dir, "deploy.env");
    writeFileSync(good, Object.entries(GOOD).map(([k, v]) => `${k}=${v}`).join("\n"));
    const ok = run(good);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const missing = run(path.join(dir, "nothing.env"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("copy deploy.example.env to deploy.env");
  }, 120_000);
});
