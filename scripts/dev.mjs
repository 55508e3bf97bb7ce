// `npm run dev [-- --port N --persist-to DIR --relay]`: the whole app offline. Builds the assets, applies the D1 migrations to the
// local database, starts the Chaoxing simulator (port SIM_PORT, default 8001) and the app (default 8000)
// with the simulator as its upstream. Ctrl-C stops both. NOTIFY_ALLOWED_ORIGINS in the environment
// (e.g. http://127.0.0.1:9123) lets notifications reach a local receiver; nothing local is allowed otherwise.
// `--relay` also runs a local relay agent (README "Run the relay") in front of the simulator: it pairs like any agent,
// with a code a signed-in user creates on the dashboard's Relay page (typed here the first time; the
// credential is kept next to the local database), is confirmed there once like any new relay, and
// relays plain HTTP to the simulator only because dev passes it --dev-allow-loopback with the simulator's
// origin (the app's RELAY_DEV_ORIGIN, so the dashboard's pairing command names the same origin).
// `--no-build` skips the asset build (the tests that run the app, test/runtime, start it after vitest
// built the assets; a build racing the workerd suite's start would rewrite files it reads).
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { devVarArgs } from "./dev-vars.mjs";

const root = path.resolve(import.meta.dirname, "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" };
const args = process.argv.slice(2);
const portIdx = args.indexOf("--port");
const port = portIdx >= 0 ? args[portIdx + 1] : (process.env.PORT ?? "8000");
const simPort = process.env.SIM_PORT ?? "8001";
// `--persist-to DIR`: a separate local database and object storage (the e2e starts each run fresh).
const persistIdx = args.indexOf("--persist-to");
const persist = persistIdx >= 0 ? ["--persist-to", path.resolve(args[persistIdx + 1])] : [];
const sim = `http://127.0.0.1:${simPort}`;
const withRelay = args.includes("--relay");
const relayState = path.join(persistIdx >= 0 ? path.resolve(args[persistIdx + 1]) : path.join(root, ".wrangler", "state"), "relay-agent.json");

if (!existsSync(path.join(root, ".dev.vars"))) copyFileSync(path.join(root, ".dev.vars.example"), path.join(root, ".dev.vars"));
if (!args.includes("--no-build")) execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", ...persist], { cwd: root, env, stdio: "inherit" });

const common = ["--ip", "127.0.0.1", "--show-interactive-dev-session=false", ...persist];
// Inspector ports follow the serving ports, so several dev instances can run side by side.
const inspector = (p) => String(Number(p) + 1229);
const children = [
  spawn(wrangler, ["dev", "-c", "simulator/wrangler.toml", "--port", simPort, "--inspector-port", inspector(simPort), ...common], { cwd: root, env, stdio: "inherit" }),
  spawn(
    wrangler,
    [
      "dev", "--port", port, "--inspector-port", inspector(port), ...common,
      ...["CX_PASSPORT_URL", "CX_MOOC2_URL", "CX_MOOC1_URL", "CX_MOOC1_API_URL", "CX_ZHIBO_URL"].flatMap((k) => ["--var", `${k}:${sim}`]),
      "--var", `RELAY_DEV_ORIGIN:${sim}`,
      "--var", `APP_URL:http://localhost:${port}`,
      ...devVarArgs(),
      // A local notification receiver (plain HTTP on loopback) is allowed only when asked for explicitly.
      ...(process.env.NOTIFY_ALLOWED_ORIGINS ? ["--var", `NOTIFY_ALLOWED_ORIGINS:${process.env.NOTIFY_ALLOWED_ORIGINS}`] : []),
    ],
    { cwd: root, env, stdio: "inherit" },
  ),
];
console.log(`\n  chaoxing-edge: http://localhost:${port}  (API http://localhost:${port}/api, docs /api/docs)\n  Chaoxing simulator: ${sim}  (demo account 13800138000 / your_password)\n`);

let agent = null;
const stop = () => {
  for (const c of children) c.kill("SIGTERM");
  agent?.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const c of children) c.on("exit", (code) => {
  stop();
  process.exitCode = code ?? 0;
});

if (withRelay) {
  const app = `http://localhost:${port}`;
  for (let i = 0; i < 240; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const baseArgs = ["--url", app, "--dev-allow-loopback", sim, "--state", relayState];
  const relayArgs = [...baseArgs];
  if (!existsSync(relayState)) {
    // The same pairing as production: a code made by a signed-in user, used once.
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const code = await rl.question(`\n  relay: open ${app}/relay, choose "Relay", create a pairing code and type it here: `);
    rl.close();
    relayArgs.push("--pair", code.trim());
  }
  agent = spawn(process.execPath, [path.join(root, "scripts", "relay.mjs"), ...relayArgs], { cwd: root, stdio: "inherit" });
  agent.on("exit", (code) => console.log(`  relay agent exited (${code}); the app keeps running. Restart it with: npm run relay -- ${baseArgs.join(" ")}`));
}
