// `npm run make-admin -- <username> [--remote]`: promotes a registered user to admin in the local D1
// (default) or the deployed one (--remote, needs the deployment's Cloudflare credentials).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { writeDeployConfig } from "./deploy.mjs";

const root = path.resolve(import.meta.dirname, "..");
const [username, ...rest] = process.argv.slice(2);
if (!username || !/^[A-Za-z0-9_.\-\u4e00-\u9fa5]{3,32}$/.test(username)) {
  console.error("usage: npm run make-admin -- <username> [--remote | --persist-to DIR]");
  process.exit(2);
}
const target = rest.includes("--remote") ? "--remote" : "--local";
// The deployed D1 is the one deploy.env names (scripts/deploy.mjs), not wrangler.toml's placeholder.
const config = target === "--remote" ? ["-c", await writeDeployConfig()] : [];
// `--persist-to DIR`: the local database of a `npm run dev -- --persist-to DIR` instance.
const persistIdx = rest.indexOf("--persist-to");
const persist = persistIdx >= 0 ? ["--persist-to", path.resolve(rest[persistIdx + 1])] : [];
// The name is validated above against the registration rule, so it cannot break out of the quotes.
const sql = `UPDATE users SET role = 'admin' WHERE lower(username) = lower('${username}'); SELECT id, username, role FROM users WHERE lower(username) = lower('${username}');`;
execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), ["d1", "execute", "DB", target, ...config, ...persist, "--command", sql], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
});
