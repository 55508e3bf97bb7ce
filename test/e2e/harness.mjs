// Plumbing for the browser journey (test/e2e/run.mjs): the app started the README's way, chromium from
// Debian, steps that pass/fail/skip, a screenshot and an axe scan per page.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const root = path.resolve(import.meta.dirname, "..", "..");
export const shotsDir = path.join(root, "test-results", "screenshots");
const axeSource = readFileSync(path.join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** A skipped step: the server does not offer what it needs yet. */
export class Skip extends Error {}

/**
 * A free port below Linux's ephemeral range (32768+): dev.mjs binds only after building the assets,
 * and a port picked by the kernel could be handed to another socket in the meantime.
 */
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const free = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `node scripts/dev.mjs --port P` with SIM_PORT, in its own process group so the whole tree (wrangler,
 * workerd) can be stopped at once. Resolves when /api/health answers. `build: false` passes `--no-build`;
 * `log()` is everything the app printed so far (its worker log included).
 */
export async function startApp({ build = true } = {}) {
  const [port, simPort] = [await freePort(), await freePort()];
  // A fresh database and object storage per run: nothing left over (tasks holding the demo account,
  // throttle counters) can change the journey.
  const persistDir = mkdtempSync(path.join(tmpdir(), "e2e-state-"));
  const child = spawn(process.execPath, [path.join(root, "scripts", "dev.mjs"), "--port", String(port), "--persist-to", persistDir, ...(build ? [] : ["--no-build"])], {
    cwd: root,
    env: { ...process.env, SIM_PORT: String(simPort) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (b) => {
    output += b.toString();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  // localhost, not 127.0.0.1: dev.mjs sets APP_URL to http://localhost:<port>, the only browser Origin
  // the live socket accepts by default.
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dev.mjs exited with ${child.exitCode}:\n${output.slice(-20_000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok && (await fetch(`http://127.0.0.1:${simPort}/__sim/state`)).ok) return { base, port, sim: `http://127.0.0.1:${simPort}`, stop, persistDir, log: () => output };
    } catch {
      /* not up yet */
    }
    await sleep(500);
  }
  stop();
  throw new Error(`app did not start in time:\n${output.slice(-20_000)}`);
}

/** Runs SQL against the local D1 of a dev instance (its --persist-to dir, or the default one). */
export function localD1(sql, persistDir) {
  const persist = persistDir ? ["--persist-to", persistDir] : [];
  execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), ["d1", "execute", "DB", "--local", ...persist, "--command", sql], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** axe on the page as it is: serious or critical violations throw. */
export async function axeCheck(page, name) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) throw new Error(`axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}: ${v.help}) at ${v.nodes.join(", ")}`).join("; ")}`);
}

/** `dir`: where screenshots go (emptied first); each script of `npm run test:e2e` keeps its own. */
export function makeRunner(dir = shotsDir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const results = [];
  let shot = 0;
  return {
    results,
    /** Runs one step; a `Skip` is reported as skipped, any other error as a failure (with a screenshot of `page`). */
    async step(name, fn, page) {
      const t0 = Date.now();
      try {
        await fn();
        results.push({ name, status: "passed" });
        console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      } catch (e) {
        if (e instanceof Skip) {
          results.push({ name, status: "skipped", why: e.message });
          console.log(`  - ${name}: skipped (${e.message})`);
        } else {
          results.push({ name, status: "failed", why: e?.stack ?? String(e) });
          await page?.screenshot({ path: path.join(dir, `FAILED-${name.replace(/[^\w\u4e00-\u9fa5]+/g, "-")}.png`), fullPage: true }).catch(() => undefined);
          console.log(`  ✗ ${name}\n      ${String(e?.message ?? e).split("\n").slice(0, 6).join("\n      ")}`);
        }
      }
    },
    /** Screenshot of the page as it is, then axe: serious or critical violations fail the step. */
    async check(page, name) {
      // The page at rest: not the hover colours of whatever the last click left the pointer on.
      await page.mouse.move(0, 0);
      await page.waitForTimeout(300); // let antd's enter animations finish so the shot is not mid-fade
      const file = path.join(dir, `${String(++shot).padStart(2, "0")}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await axeCheck(page, name);
    },
    summary() {
      const n = (s) => results.filter((r) => r.status === s).length;
      for (const r of results.filter((r) => r.status === "skipped")) console.log(`skipped: ${r.name} — ${r.why}`);
      console.log(`${n("passed")} passed, ${n("failed")} failed`);
      return n("failed");
    },
  };
}
