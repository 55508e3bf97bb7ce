// `npm run bench`: every benchmark, printed as one table (what, value, baseline, ratio).
// docs/benchmarks.md explains each row. It never fails: a part that cannot run prints "not measured"
// with the reason, and the exit code stays 0 (benchmarks are not a CI gate).
//
// Parts: sizes (bundle, dashboard JS); engine CPU per step (Node, esbuild bundle); CPU per invocation
// against the Free plan's 10 ms (a login's KDF in Node, page parses and reads in workerd); pacing and write
// costs, and the forecast's accuracy, on simulated time (vitest workerd pool, bench/vitest.config.ts); then one local runtime
// (wrangler dev + the simulator, fresh D1 in a temp dir) for API load, live latency, capacity and memory;
// then the relay: the cost of a Chaoxing call through the relay agent vs direct, on its own runtime; then the
// dashboard on a phone on a slow line (bench/phone.mjs: chromium, CDP throttling), on its own runtime.
// `npm run bench -- --only relay` (or sizes, engine, cpu, pacing, forecast, runtime, phone; api, live or capacity for one part of runtime) runs one part.
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { devVarArgs } from "../scripts/dev-vars.mjs";
import WebSocket from "ws";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" };
const PORT = Number(process.env.BENCH_PORT ?? 8900);
const SIM_PORT = PORT + 1;
const APP = `http://127.0.0.1:${PORT}`;
const SIM = `http://127.0.0.1:${SIM_PORT}`;
/** Hard limit for the whole run: whatever is still running then is stopped and reported unmeasured. */
const DEADLINE = Date.now() + 12 * 60_000;
const tmp = mkdtempSync(path.join(tmpdir(), "bench-"));
const started = Date.now();
const onlyIdx = process.argv.indexOf("--only");
const only = onlyIdx >= 0 ? process.argv[onlyIdx + 1] : null;
const wanted = (name) => only === null || only === name;

const rows = [];
const fmt = (v, unit) => (v === null || v === undefined || Number.isNaN(v) ? "—" : `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1)}${unit ? ` ${unit}` : ""}`);
/** One table row; the ratio is value / baseline when both were measured in this run. */
function row(what, value, unit, baseline = null, baseUnit = unit, note = "") {
  const ratio = baseline && value !== null ? value / baseline : null;
  rows.push({ what, value: fmt(value, unit), baseline: baseline === null ? (note || "—") : `${fmt(baseline, baseUnit)}${note ? ` (${note})` : ""}`, ratio: ratio === null ? "—" : `${ratio.toFixed(2)}×` });
}
const skipped = (what, why) => rows.push({ what, value: "not measured", baseline: why, ratio: "—" });
const log = (msg) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (values, p) => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const left = () => DEADLINE - Date.now();

/** Runs `fn`, turning a failure into "not measured" rows instead of a failed benchmark. */
async function part(name, whats, fn) {
  try {
    await fn();
  } catch (e) {
    log(`${name} failed: ${e?.stack ?? e}`);
    const why = `${name} failed: ${String(e?.message ?? e).slice(0, 80)}`;
    if (whats.length === 0) skipped(name, why);
    for (const w of whats) if (!rows.some((r) => r.what.startsWith(w))) skipped(w, why);
  }
}

function devVars() {
  const file = path.join(root, ".dev.vars");
  if (!existsSync(file)) copyFileSync(path.join(root, ".dev.vars.example"), file);
  return Object.fromEntries(
    readFileSync(file, "utf8").split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
  );
}

/** Lines `BENCH {...}` printed by a bench program, by name. */
function benchLines(out) {
  const found = {};
  for (const m of out.matchAll(/BENCH (\{.*\})/g)) {
    const o = JSON.parse(m[1]);
    found[o.name] = o;
  }
  return found;
}

// ---- 6. sizes ------------------------------------------------------------------------------------

async function sizes() {
  log("building the dashboard and the worker bundle");
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"], timeout: 180_000 });
  const out = path.join(tmp, "dist");
  execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out], { cwd: root, env: wranglerEnv, stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
  const bundle = readdirSync(out).filter((f) => /\.(m?js)$/.test(f)).map((f) => readFileSync(path.join(out, f)));
  const raw = bundle.reduce((s, b) => s + b.length, 0);
  const gz = bundle.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0);
  row("worker bundle, gzip", gz / 1024, "KiB", raw / 1024, "KiB", "raw");

  const dist = path.join(root, "web", "dist");
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const refs = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
  const files = [...new Set(refs)].map((r) => readFileSync(path.join(dist, r.replace(/^\//, ""))));
  const jsGz = files.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0);
  row("dashboard initial JS, gzip", jsGz / 1024, "KiB", files.reduce((s, b) => s + b.length, 0) / 1024, "KiB", `raw, ${files.length} files`);
}

// ---- 3a. engine CPU per step (Node) --------------------------------------------------------------

async function engineCost() {
  log("engine step CPU (Node)");
  const out = path.join(tmp, "engine-cost.mjs");
  execFileSync(bin("esbuild"), [path.join(root, "bench/node/engine-cost.ts"), "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--external:cloudflare:*", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
  const b = benchLines(execFileSync(process.execPath, [out], { cwd: root, encoding: "utf8", timeout: 120_000 }));
  const p50 = b["engine.step_cpu_us.p50"];
  const p99 = b["engine.step_cpu_us.p99"];
  row("engine step CPU p50 (Node, sim CPU subtracted)", p50.value, "µs", p50.baseline, "µs", "sim serving one request, p50");
  row("engine step CPU p99", p99.value, "µs", p99.baseline, "µs", "sim request p99");
}

// ---- 3c. CPU per invocation against the Free plan's 10 ms (Node and the workerd pool) ---------------

/** The Workers Free plan's CPU time per invocation (developers.cloudflare.com/workers/platform/limits). */
const FREE_CPU_MS = 10;

async function cpuCost() {
  log("CPU per invocation: the login's KDF (Node), page parses and reads (workerd)");
  const iterations = Number(readFileSync(path.join(root, "wrangler.toml"), "utf8").match(/^PBKDF2_ITERATIONS = "(\d+)"/m)[1]);
  const out = path.join(tmp, "kdf-cost.mjs");
  execFileSync(bin("esbuild"), [path.join(root, "bench/node/kdf-cost.ts"), "--bundle", "--platform=node", "--format=esm", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
  const kdf = benchLines(execFileSync(process.execPath, [out, String(iterations), "50000", "40000"], { cwd: root, encoding: "utf8", timeout: 120_000 }));
  const note = `Free plan CPU per invocation`;
  row(`login: password check at ${iterations.toLocaleString("en")} PBKDF2 iterations (Node CPU, median)`, kdf[`cpu.kdf_ms.${iterations}`].value, "ms", FREE_CPU_MS, "ms", note);
  for (const n of [50000, 40000]) row(`login: password check at ${n.toLocaleString("en")} iterations (Node CPU, median)`, kdf[`cpu.kdf_ms.${n}`].value, "ms", FREE_CPU_MS, "ms", note);
  const b = benchLines(await vitestBench("bench/workerd/cpu.bench.test.ts"));
  const w = (name) => b[name];
  row(`login: the same check in workerd (performance.now(), quickest of ${w("cpu.login_kdf_ms").runs})`, w("cpu.login_kdf_ms").value, "ms", FREE_CPU_MS, "ms", note);
  row("login: POST /api/auth/login in workerd, quickest (upper bound: includes local D1)", w("cpu.login_route_ms").value, "ms", FREE_CPU_MS, "ms", note);
  for (const [k, what] of [["courses", "the course list, 30 courses"], ["chapters", "the chapter tree, 32 chapters"], ["cards", "a cards page"]]) {
    row(`task step: parsing ${what} (workerd, quickest batch of 10)`, w(`cpu.parse_ms.${k}`).value, "ms", FREE_CPU_MS, "ms", note);
  }
  const r = w("cpu.read_page_ms");
  row("reads: GET /api/tasks, a page of 20, in workerd, quickest (upper bound: includes local D1)", r.value, "ms", FREE_CPU_MS, "ms", `${note}; GET /api/auth/me ${r.me} ms, no-op ${r.noop} ms`);
}

/** Runs one bench file in the workerd pool (bench/vitest.config.ts) and returns its output. */
function vitestBench(file, budgetMs = 480_000) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin("vitest"), ["run", "-c", "bench/vitest.config.ts", file], { cwd: root, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" } });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.stderr.on("data", (d) => (text += d));
    const timer = setTimeout(() => p.kill("SIGTERM"), Math.min(budgetMs, left()));
    p.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`vitest exited ${code}: ${text.slice(-400)}`));
    });
  });
}

// ---- 2 & 3b. pacing, DO and D1 rows (workerd pool, simulated time) -------------------------------

async function pacing() {
  log("pacing on simulated time (vitest workerd pool)");
  const out = await vitestBench("bench/workerd/pacing.bench.test.ts");
  const b = benchLines(out);
  for (const speed of [2, 1]) {
    const t = b[`pacing.scheduled_s.${speed}x`];
    const floor = t.real_time ? "Σ real-time floor (each video's length: completion needs real time)" : "Σ real-time floor (length / speed where fast playback is credited)";
    const over = `over it: ${t.rewatched} of ${t.videos} videos re-watched from the start, +${Math.round(t.rewatch_extra_s)} s; the others +${Math.round(t.other_extra_s)} s; between videos and after the last +${Math.round(t.value - t.media_s - t.rewatch_extra_s - t.other_extra_s)} s`;
    row(`pacing: scheduled time, 高等数学（上） at ${speed}x`, t.value / 3600, "h", t.baseline / 3600, "h", `${floor}; ${over}`);
    const r = b[`pacing.requests_per_media_min.${speed}x`];
    row(`upstream requests per media minute at ${speed}x`, r.value, "", r.reports / (t.media_s / 60), "", "reports alone");
    const d = b[`do.rows_per_report.${speed}x`];
    row(`DO rows written per progress report at ${speed}x (task + account + phone, alarms included)`, d.value, "", null, "", `${d.task} task (${d.task_alarms} alarms) + ${d.account} account rows / ${d.reports} reports`);
    row(`DO rows written per media-hour at ${speed}x`, (d.task + d.account) / d.media_hours, "", null, "", `${d.media_hours.toFixed(1)} media-hours in ${d.study_hours.toFixed(1)} h`);
    const w = b[`d1.rows_per_report.${speed}x`];
    row(`D1 rows written per progress report at ${speed}x`, w.value, "", null, "", `${w.rows} rows / ${w.reports} reports`);
  }
  // The real engine under the deployment's default limits, from the window's opening (bench/workerd/pacing.bench.test.ts).
  const d = b["limits.days_to_finish"];
  row(
    `days to finish ${d.course} under the default limits (${d.window}, ${d.cap_min} min a day, a break after ${d.break_after_min} min, 1x)`,
    d.value, "days", d.baseline, "days",
    `Σ media (${d.media_h.toFixed(1)} h) ÷ daily cap; ${d.breaks} breaks, ${d.cap_waits} cap waits, done ${d.elapsed_days.toFixed(2)} days after the first window opened, ${d.rows_per_report.toFixed(2)} DO rows per report`,
  );
}

// ---- the forecast's accuracy (workerd pool, simulated time) --------------------------------------

async function forecastAccuracy() {
  log("forecast at start vs the real finish, on simulated time (vitest workerd pool)");
  const b = benchLines(await vitestBench("bench/workerd/forecast.bench.test.ts", 300_000));
  for (const label of ["default", "hour"]) {
    const f = b[`forecast.error_min.${label}`];
    row(
      `forecast at start vs real finish, demo courses, ${f.window}, ${f.cap_min} min a day (error, min)`,
      f.value, "min", f.baseline, "min",
      `allowed: 5 % of ${f.took_h} h or 30 min; dialog's forecast ${f.preview_error_min >= 0 ? "+" : ""}${f.preview_error_min} min, task's at start ${f.at_start_error_min >= 0 ? "+" : ""}${f.at_start_error_min} min, ${f.study_days} study days`,
    );
  }
}

// ---- the local runtime ---------------------------------------------------------------------------

const children = [];
function startDev(args, name) {
  const p = spawn(bin("wrangler"), ["dev", "--ip", "127.0.0.1", "--show-interactive-dev-session=false", ...args], {
    cwd: root, env: wranglerEnv, detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (d) => (tail = (tail + d).slice(-2000));
  p.stdout.on("data", keep);
  p.stderr.on("data", keep);
  children.push(p);
  p.tailOf = () => tail;
  p.label = name;
  return p;
}
function stopAll() {
  for (const p of children) {
    try {
      process.kill(-p.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
}
process.on("SIGINT", () => (stopAll(), process.exit(130)));

async function waitUp(url, proc) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (proc.exitCode !== null) throw new Error(`${proc.label} exited: ${proc.tailOf()}`);
    await sleep(500);
  }
  throw new Error(`${url} did not come up: ${proc.tailOf()}`);
}

/** RSS (KiB) of every process in a process group (wrangler, its workerd). */
function groupRssKiB(pgid) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!comm.includes("workerd")) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** Bounded-concurrency map. */
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k], k);
    }
  }));
  return out;
}

const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;
const videoCourse = { name: "基准视频课", teacher: "王老师", chapters: Array.from({ length: 10 }, (_, i) => ({ title: `${i + 1} 视频`, tabs: [[{ type: "video", name: `v${i + 1}.mp4`, duration: 600 }]] })) };
const docsCourse = { name: "基准文档课", teacher: "王老师", chapters: Array.from({ length: 10 }, (_, i) => ({ title: `${i + 1} 文档`, tabs: [Array.from({ length: 12 }, (_, j) => ({ type: "document", name: `d${i + 1}-${j + 1}.pdf` }))] })) };

/** Users: 1 admin, 2 the API/live user (100 tasks), 3.. one task each for capacity; one Chaoxing account per user. */
async function seed(vars, counts) {
  log("seeding users, accounts and tasks into the local D1");
  const cryptoOut = path.join(tmp, "seed-crypto.mjs");
  execFileSync(bin("esbuild"), [path.join(root, "bench/node/seed-crypto.ts"), "--bundle", "--platform=node", "--format=esm", "--log-level=warning", `--outfile=${cryptoOut}`], { cwd: root, stdio: "inherit" });
  const { hashPassword, seal, signToken } = await import(pathToFileURL(cryptoOut).href);
  // Nobody logs in with a password here: one hash serves every user (PBKDF2 at 100,000 costs ≈50 ms each).
  const hash = await hashPassword("bench-password", vars.PASSWORD_PEPPER, 100_000);
  const total = 2 + counts.capacity;
  const now = new Date().toISOString();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 6 * 3600;
  const users = await pool(Array.from({ length: total }, (_, k) => k + 1), 16, async (id) => {
    const phone = `139${String(10_000_000 + id).slice(-8)}`;
    const res = await fetch(`${SIM}/__sim/accounts`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ phone, password: `pw${id}`, courses: id === 2 ? [videoCourse, docsCourse] : [videoCourse] }),
    });
    if (res.status !== 201) throw new Error(`sim account ${phone}: ${res.status} ${await res.text()}`);
    const acct = await res.json();
    const jti = randomUUID();
    return {
      id, phone, jti, courses: acct.courses.map((c) => c.courseId),
      sealed: await seal(`pw${id}`, vars.CX_ENCRYPTION_KEY, `user:${id}`),
      token: await signToken(vars.JWT_SECRET, id, jti, iat, exp),
    };
  });
  const sql = [];
  const tasks = { list: [], detail: 0, live: 0, capacity: [] };
  let taskId = 0;
  const task = (userId, courseId, status = "pending") => {
    taskId++;
    sql.push(`INSERT INTO tasks (id, user_id, name, course_ids, status, speed, notopen_action, created_at, updated_at) VALUES (${taskId}, ${userId}, ${sq(`基准任务 ${taskId}`)}, ${sq(JSON.stringify([courseId]))}, ${sq(status)}, 2, 'retry', ${sq(now)}, ${sq(now)});`);
    return taskId;
  };
  for (const u of users) {
    sql.push(`INSERT INTO users (id, username, email, password_hash, role, created_at) VALUES (${u.id}, ${sq(`bench${u.id}`)}, ${sq(`bench${u.id}@example.com`)}, ${sq(hash)}, ${sq(u.id === 1 ? "admin" : "user")}, ${sq(now)});`);
    sql.push(`INSERT INTO user_configs (user_id, cx_username, cx_password_enc, speed, updated_at) VALUES (${u.id}, ${sq(u.phone)}, ${sq(u.sealed)}, 2, ${sq(now)});`);
    sql.push(`INSERT INTO auth_tokens (jti, user_id, issued_at, expires_at) VALUES (${sq(u.jti)}, ${u.id}, ${sq(now)}, ${sq(new Date(exp * 1000).toISOString())});`);
  }
  const api = users[1];
  // 98 finished-looking rows, then the two that run: the list shows 100 tasks of one user.
  for (let k = 0; k < 98; k++) tasks.list.push(task(2, api.courses[0], k % 3 === 0 ? "completed" : "pending"));
  tasks.detail = task(2, api.courses[0]);
  tasks.live = task(2, api.courses[1]);
  for (const u of users.slice(2)) tasks.capacity.push({ id: task(u.id, u.courses[0]), token: u.token });
  const file = path.join(tmp, "seed.sql");
  writeFileSync(file, sql.join("\n"));
  execFileSync(bin("wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", path.join(tmp, "state"), "--file", file], { cwd: root, env: wranglerEnv, stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
  return { admin: users[0].token, user: api.token, tasks };
}

async function call(method, url, token) {
  const send = () => fetch(`${APP}${url}`, { method, headers: { Authorization: `Bearer ${token}` } });
  // Node's fetch may reuse a keep-alive connection the dev server already closed: retry that once.
  const res = await send().catch((e) => (e instanceof TypeError ? send() : Promise.reject(e)));
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

// ---- 1. API under load ---------------------------------------------------------------------------

async function apiLoad(s) {
  const run = (url, connections, token) =>
    autocannon({ url: `${APP}${url}`, connections, duration: 5, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const reads = [["GET /api/tasks (100 tasks)", "/api/tasks?page_size=100"], ["GET /api/tasks/{id} (running)", `/api/tasks/${s.tasks.detail}`]];
  // Sequential D1 round trips of one authenticated read (the worker counts them: X-D1-Round-Trips).
  for (const [label, url] of [["GET /api/auth/me", "/api/auth/me"], ...reads]) {
    const res = await fetch(`${APP}${url}`, { headers: { Authorization: `Bearer ${s.user}` } });
    await res.arrayBuffer();
    row(`${label}: D1 round trips per request`, Number(res.headers.get("X-D1-Round-Trips")), "", 1, "", "target 1");
  }
  for (const connections of [50, 200]) {
    log(`API load at ${connections} connections`);
    const base = await run("/api/health/live", connections);
    row(`GET /api/health/live (no-op), ${connections} conns`, base.requests.average, "req/s", null, "", `p50 ${base.latency.p50} ms, p99 ${base.latency.p99} ms`);
    // The authenticated no-op: the token checked against its row, nothing else read.
    const me = await run("/api/auth/me", connections, s.user);
    row(`GET /api/auth/me (authenticated no-op), ${connections} conns`, me.requests.average, "req/s", base.requests.average, "req/s", `no-op; p50 ${me.latency.p50} ms, p99 ${me.latency.p99} ms`);
    for (const [label, url] of reads) {
      const r = await run(url, connections, s.user);
      const errs = r.non2xx + r.errors + r.timeouts;
      const note = errs ? `, ${errs} errors/timeouts` : "";
      row(`${label}, ${connections} conns: req/s`, r.requests.average, "req/s", me.requests.average, "req/s", `authenticated no-op${note}`);
      // No response inside the window: autocannon's latency would read 0, which is not a latency.
      const done = r.requests.total > 0;
      row(`${label}, ${connections} conns: p50`, done ? r.latency.p50 : null, "ms", me.latency.p50, "ms", done ? "authenticated no-op" : "authenticated no-op; no response within 5 s");
      row(`${label}, ${connections} conns: p99`, done ? r.latency.p99 : null, "ms", me.latency.p99, "ms", "authenticated no-op");
    }
  }
}

// ---- 5. live latency -----------------------------------------------------------------------------

function openSocket(token, taskId, samples) {
  return new Promise((resolve, reject) => {
    // No permessage-deflate: a browser inflates its own socket's frames, while here one Node process holds
    // all of them and ws inflates 10 at a time; at 1,000 sockets that queue, not the app, was measured
    // (p99 0.8–1.3 s with it, 0.1 s without, on the same code).
    const ws = new WebSocket(`${APP.replace("http", "ws")}/ws/connect?token=${token}`, { perMessageDeflate: false });
    let pendingAt = null;
    const timer = setTimeout(() => (ws.terminate(), reject(new Error("socket did not subscribe in 30 s"))), 30_000);
    ws.on("message", (raw) => {
      const at = Date.now();
      const m = JSON.parse(String(raw));
      if (m.type === "connected") ws.send(JSON.stringify({ type: "subscribe_task", task_id: taskId }));
      else if (m.type === "subscribed") (clearTimeout(timer), resolve(ws));
      else if (m.type === "task_log" && samples.on) {
        pendingAt = Date.parse(m.log.created_at);
        samples.log.push(at - pendingAt);
      } else if (m.type === "task_update" && pendingAt !== null && samples.on) {
        // The update this step sent after its log lines: timed from the same step's server time.
        samples.update.push(at - pendingAt);
        pendingAt = null;
      } else if (m.type === "pong" && samples.pingSent) samples.ping.push(at - samples.pingSent);
    });
    ws.on("error", (e) => (clearTimeout(timer), reject(e)));
  });
}

async function liveLatency(s) {
  await call("POST", `/api/tasks/${s.tasks.live}/start`, s.user);
  let base = null;
  for (const n of [1, 100, 1000]) {
    if (left() < 150_000) {
      skipped(`live: task_update latency, ${n} subscribers`, "out of time");
      continue;
    }
    log(`live latency with ${n} subscribers`);
    const samples = { on: false, log: [], update: [], ping: [], pingSent: 0 };
    const t0 = Date.now();
    // A socket that never subscribes is counted, not fatal: the others still measure.
    const opened = await pool(Array.from({ length: n }, () => 0), 25, () => openSocket(s.user, s.tasks.live, samples).catch(() => null));
    const sockets = opened.filter(Boolean);
    const failed = n - sockets.length;
    if (sockets.length === 0) throw new Error(`no socket of ${n} subscribed`);
    if (n > 1) row(`live: ${n} sockets connected and subscribed`, (Date.now() - t0) / 1000, "s", null, "", `/ws/connect, 25 at a time${failed ? `; ${failed} failed` : ""}`);
    if (n === 1) {
      // Baseline: a round trip the runtime answers itself (compact ping, no object woken).
      for (let i = 0; i < 20; i++) {
        samples.pingSent = Date.now();
        sockets[0].send('{"type":"ping"}');
        await sleep(100);
      }
    }
    samples.on = true;
    await sleep(12_000);
    samples.on = false;
    for (const ws of sockets) ws.close();
    const p50 = pct(samples.update, 50);
    if (n === 1) base = { ping: pct(samples.ping, 50), update: p50, log: pct(samples.log, 50) };
    const ref = n === 1 ? base.ping : base.update;
    const refLog = n === 1 ? base.ping : base.log;
    const note = n === 1 ? "ping round trip p50" : "1 subscriber p50";
    row(`live: step → task_update, ${n} subscriber${n > 1 ? "s" : ""}, p50`, p50, "ms", ref, "ms", `${note}; ${samples.update.length} samples`);
    row(`live: step → task_update, ${n} subscriber${n > 1 ? "s" : ""}, p99`, pct(samples.update, 99), "ms", ref, "ms", note);
    row(`live: step → task_log, ${n} subscriber${n > 1 ? "s" : ""}, p50`, pct(samples.log, 50), "ms", refLog, "ms", note);
    row(`live: step → task_log, ${n} subscriber${n > 1 ? "s" : ""}, p99`, pct(samples.log, 99), "ms", refLog, "ms", note);
    await sleep(1000);
  }
}

// ---- 4. capacity ---------------------------------------------------------------------------------

/** Starts a task; a runtime too busy to answer (503) gets a few more tries. False when it never started. */
async function startWithRetry(t, cutoff) {
  for (let attempt = 0; attempt < 5 && Date.now() < cutoff; attempt++) {
    const res = await fetch(`${APP}/api/tasks/${t.id}/start`, { method: "POST", headers: { Authorization: `Bearer ${t.token}` } });
    await res.arrayBuffer();
    // 409: an earlier try did start it and only its answer was lost.
    if (res.ok || res.status === 409) return true;
    if (res.status !== 503 && res.status < 500) throw new Error(`start ${t.id}: ${res.status}`);
    await sleep(500 * 2 ** attempt);
  }
  return false;
}

async function capacity(s, appProc) {
  const engine = () => call("GET", "/api/admin/engine", s.admin);
  // Baseline: the runtime with the two benchmark tasks of user 2 running.
  const idle = await engine();
  const idleRss = groupRssKiB(appProc.pid);
  const WINDOW_MS = 60_000;
  let startedSoFar = 0;
  for (const n of [100, 1000]) {
    if (left() < WINDOW_MS + 90_000) {
      skipped(`capacity: ${n} tasks, alarm lateness p50`, "out of time");
      continue;
    }
    log(`capacity: starting tasks up to ${n}`);
    const batch = s.tasks.capacity.slice(startedSoFar, n);
    const t0 = Date.now();
    // Starting is bounded too: what did not start in 150 s is counted and the window goes on without it.
    const cutoff = t0 + 150_000;
    const refused = (await pool(batch, 8, (t) => startWithRetry(t, cutoff))).filter((ok) => !ok).length;
    row(`capacity: starting ${batch.length} tasks (POST /start, 8 at a time)`, (batch.length - refused) / ((Date.now() - t0) / 1000), "starts/s", null, "", refused ? `${refused} not started` : "");
    log(`started ${batch.length - refused} of ${batch.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    startedSoFar = n;
    let peakRss = 0;
    const until = Date.now() + WINDOW_MS;
    while (Date.now() < until) {
      peakRss = Math.max(peakRss, groupRssKiB(appProc.pid));
      await sleep(2000);
    }
    // Two independent samples of 50 objects: more of the running set, the same one request cost each.
    const a = await engine();
    const b = await engine();
    const lat = (k) => (a.lateness_ms[k] === null && b.lateness_ms[k] === null ? null : Math.max(a.lateness_ms[k] ?? 0, b.lateness_ms[k] ?? 0));
    const seen = `${idle.running} tasks; ${a.samples + b.samples} samples from ${a.sampled + b.sampled} objects`;
    row(`capacity: ${a.running} tasks running, alarm lateness p50`, lat("p50"), "ms", idle.lateness_ms.p50, "ms", seen);
    row(`capacity: ${a.running} tasks running, alarm lateness p99`, lat("p99"), "ms", idle.lateness_ms.p99, "ms", `${idle.running} tasks`);
    row(`memory: workerd RSS, ${a.running} tasks running (peak)`, peakRss / 1024, "MiB", idleRss / 1024, "MiB", `${idle.running} tasks`);
  }
}

async function runtime() {
  const vars = devVars();
  const state = path.join(tmp, "state");
  log("starting the simulator and the app (wrangler dev, fresh local D1)");
  execFileSync(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env: wranglerEnv, stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
  const sim = startDev(["-c", "simulator/wrangler.toml", "--port", String(SIM_PORT), "--inspector-port", String(SIM_PORT + 1229), "--persist-to", path.join(tmp, "sim-state")], "simulator");
  const app = startDev([
    "--port", String(PORT), "--inspector-port", String(PORT + 1229), "--persist-to", state,
    ...["CX_PASSPORT_URL", "CX_MOOC2_URL", "CX_MOOC1_URL", "CX_MOOC1_API_URL", "CX_ZHIBO_URL"].flatMap((k) => ["--var", `${k}:${SIM}`]),
    "--var", `APP_URL:http://localhost:${PORT}`, "--var", "MAX_RUNNING_TASKS:1000", ...devVarArgs(),
  ], "app");
  await waitUp(`${SIM}/__sim/state`, sim);
  await waitUp(`${APP}/api/health`, app);
  const s = await seed(vars, { capacity: 1000 });
  await call("POST", `/api/tasks/${s.tasks.detail}/start`, s.user);
  if (wanted("runtime") || only === "api") await part("API load", [], () => apiLoad(s));
  if (wanted("runtime") || only === "live") await part("live latency", [], () => liveLatency(s));
  if (wanted("runtime") || only === "capacity") await part("capacity", [], () => capacity(s, app));
}

// ---- 7. the relay (a Chaoxing call through the agent vs direct) ----------------------------------

/**
 * One API call that makes a fixed number of Chaoxing requests (the course list with progress,
 * `?refresh=true`, for an account with one course: 4 requests), timed from the client with the user's
 * egress `direct` and through the real agent bundle (node, `--dev-allow-loopback <simulator>`) in front of the same
 * simulator, in alternating blocks. Both on one machine, so the ratio is the relay's own cost: the RPC to
 * the user's relay object, the WebSocket round trip, signing and checking, and the agent's HTTP client.
 */
async function relayOverhead() {
  const port = PORT + 20;
  const simPort = PORT + 21;
  const app = `http://127.0.0.1:${port}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  log("relay: starting a separate simulator and app");
  await startPair(port, simPort, "relay");
  const phone = "13912340000";
  const json = jsonAt(app);
  const token = await studentWith(app, simUrl, "relay", phone, [videoCourse]);
  const timed = async () => {
    const t0 = performance.now();
    await json("GET", "/api/courses/list?refresh=true", token);
    return performance.now() - t0;
  };
  const agentFile = path.join(tmp, "chaoxing-relay.mjs");
  const { bundleRelay } = await import(pathToFileURL(path.join(root, "scripts", "relay-bundle.mjs")).href);
  await bundleRelay(agentFile);
  const { code } = await json("POST", "/api/relays/pairing-code", token);
  const agent = spawn(process.execPath, [agentFile, "--url", app, "--pair", code, "--dev-allow-loopback", simUrl, "--quiet", "--state", path.join(tmp, "relay-agent.json")], { detached: true, stdio: "ignore" });
  children.push(agent);
  agent.label = "relay agent";
  agent.tailOf = () => "";
  const relayed = async () => (await json("GET", "/api/relays", token)).relays[0]?.requests_today ?? 0;
  for (let i = 0; (await json("GET", "/api/relays", token)).relays[0]?.online !== true; i++) {
    if (i > 60) throw new Error("the relay agent did not come online");
    await sleep(500);
  }
  // A new relay carries nothing until its owner confirms it (as on the dashboard).
  await json("POST", `/api/relays/${(await json("GET", "/api/relays", token)).relays[0].id}/confirm`, token);
  /**
   * Switches the user's egress and waits until calls really take that way (the account object may keep the
   * old choice for up to 30 s in another isolate): a relayed call raises the relay's count, a direct one not.
   */
  const use = async (egress) => {
    await json("PUT", "/api/relays/egress", token, { egress });
    for (let i = 0; ; i++) {
      if (i > 40) throw new Error(`calls did not switch to ${egress}: ${JSON.stringify((await json("GET", "/api/relays", token)).relays)}`);
      const before = await relayed();
      await timed();
      if ((await relayed()) > before === (egress === "relay")) return;
      await sleep(1000);
    }
  };
  // Blocks alternate (direct, relay, direct, relay) so that warming up or load drifting on this shared
  // machine does not favour whichever way is measured last.
  const BLOCK = 20;
  const samples = { direct: [], relay: [] };
  let perCall = 0;
  for (const egress of ["direct", "relay", "direct", "relay"]) {
    log(`relay: ${egress}`);
    await use(egress);
    for (let i = 0; i < 5; i++) await timed();
    const before = await relayed();
    for (let i = 0; i < BLOCK; i++) samples[egress].push(await timed());
    if (egress === "relay") perCall = ((await relayed()) - before) / BLOCK;
  }
  const [d50, r50] = [pct(samples.direct, 50), pct(samples.relay, 50)];
  row("relay: Chaoxing call through the relay, p50", r50, "ms", d50, "ms", `direct, same call; ${perCall.toFixed(0)} upstream requests per call, ${2 * BLOCK} calls each, alternating blocks`);
  row("relay: Chaoxing call through the relay, p99", pct(samples.relay, 99), "ms", pct(samples.direct, 99), "ms", "direct p99");
  row("relay: added latency per upstream request, p50", (r50 - d50) / perCall, "ms", null, "", "(relay p50 − direct p50) / requests per call");
}

// ---- a separate app + simulator (the relay and the phone parts) ---------------------------------

/** A fresh D1 in the temp dir, the simulator on `simPort` and the app on `port` with it upstream. */
async function startPair(port, simPort, label) {
  const simUrl = `http://127.0.0.1:${simPort}`;
  const state = path.join(tmp, `${label}-state`);
  execFileSync(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env: wranglerEnv, stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
  const simProc = startDev(["-c", "simulator/wrangler.toml", "--port", String(simPort), "--inspector-port", String(simPort + 1229), "--persist-to", path.join(tmp, `${label}-sim-state`)], `${label} simulator`);
  const appProc = startDev([
    "--port", String(port), "--inspector-port", String(port + 1229), "--persist-to", state,
    ...["CX_PASSPORT_URL", "CX_MOOC2_URL", "CX_MOOC1_URL", "CX_MOOC1_API_URL", "CX_ZHIBO_URL"].flatMap((k) => ["--var", `${k}:${simUrl}`]),
    "--var", `APP_URL:http://127.0.0.1:${port}`, ...devVarArgs(),
  ], `${label} app`);
  await waitUp(`${simUrl}/__sim/state`, simProc);
  await waitUp(`http://127.0.0.1:${port}/api/health`, appProc);
}

/** A JSON call against `app` that throws on a non-2xx answer. */
const jsonAt = (app) => async (method, p, token, body) => {
  const res = await fetch(`${app}${p}`, { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const out = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(out)}`);
  return out;
};

/** A registered student whose saved Chaoxing account (made in the simulator) has `courses`; their token. */
async function studentWith(app, simUrl, name, phone, courses) {
  const acct = await fetch(`${simUrl}/__sim/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ phone, password: `${name}-pw`, courses }) });
  if (acct.status !== 201) throw new Error(`sim account: ${acct.status}`);
  const json = jsonAt(app);
  const token = (await json("POST", "/api/auth/register", null, { username: `${name}bench`, email: `${name}bench@example.com`, password: "bench-password" })).access_token;
  await json("PUT", "/api/user/config", token, { cx_username: phone, cx_password: `${name}-pw` });
  return token;
}

// ---- 8. the phone budget -------------------------------------------------------------------------

/**
 * The dashboard on a phone on a slow line (bench/phone.mjs): a student with a running task, on their own
 * runtime, measured in chromium with CDP throttling. Budget: first content ≤ 3 s, task data ≤ 5 s,
 * warm reload ≤ 1.5 s (the baseline column).
 */
async function phoneBudget() {
  const port = PORT + 30;
  const simPort = PORT + 31;
  const app = `http://127.0.0.1:${port}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  if (!only) log("phone: the dashboard was built by the sizes part");
  else {
    log("phone: building the dashboard");
    execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"], timeout: 180_000 });
  }
  log("phone: starting a separate simulator and app");
  await startPair(port, simPort, "phone");
  const json = jsonAt(app);
  const token = await studentWith(app, simUrl, "phone", "13912340001", [videoCourse, docsCourse]);
  const courses = await json("GET", "/api/courses/list", token);
  const task = await json("POST", "/api/tasks", token, { name: courses[0].courseName, course_ids: [courses[0].courseId] });
  await json("POST", `/api/tasks/${task.id}/start`, token);
  await sleep(5000);
  const { measurePhone } = await import(pathToFileURL(path.join(root, "bench", "phone.mjs")).href);
  const r = await measurePhone({ app, token, taskId: task.id, log });
  const s = (ms) => (ms === null ? null : ms / 1000);
  row("phone (360 px, Fast 3G, 4× CPU): first content on /", s(r.firstContent), "s", 3, "s", "budget");
  row("phone: task page data on screen, empty cache", s(r.taskData), "s", 5, "s", "budget");
  row("phone: task page, transferred until its data", r.taskBytes / 1024, "KiB", null, "", `${r.taskRequests} requests`);
  row("phone: task page data on a warm reload", s(r.warmReload), "s", 1.5, "s", "budget");
  row("phone: course list on screen, empty cache", s(r.coursesCold), "s", null, "", "no budget");
  row("phone: course list on a warm reload", s(r.coursesWarm), "s", null, "", "no budget");
}

try {
  if (wanted("sizes")) await part("sizes", ["worker bundle, gzip", "dashboard initial JS, gzip"], sizes);
  if (wanted("engine")) await part("engine cost", ["engine step CPU p50 (Node, sim CPU subtracted)", "engine step CPU p99"], engineCost);
  if (wanted("cpu")) await part("cpu", ["login: password check", "task step: parsing", "reads: GET /api/tasks"], cpuCost);
  if (wanted("pacing")) await part("pacing", ["pacing: scheduled time", "upstream requests per media minute", "DO rows written per study-hour", "D1 rows written per progress report", "days to finish"], pacing);
  if (wanted("forecast")) await part("forecast", ["forecast at start vs real finish"], forecastAccuracy);
  if (wanted("runtime") || ["api", "live", "capacity"].includes(only)) await part("local runtime", ["API load, live latency, capacity, memory"], runtime);
  if (wanted("relay")) await part("relay", ["relay: Chaoxing call through the relay"], relayOverhead);
  if (wanted("phone")) await part("phone", ["phone (360 px"], phoneBudget);
} finally {
  stopAll();
  // workerd may still be flushing its storage as it stops: retry, and never let cleanup lose the table.
  try {
    rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  } catch (e) {
    log(`could not remove ${tmp}: ${e.message}`);
  }
}

const cols = ["what", "value", "baseline", "ratio"];
const lines = [`| ${cols.join(" | ")} |`, `| ${cols.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${cols.map((c) => r[c]).join(" | ")} |`)];
console.log(`\nchaoxing-edge benchmarks — ${new Date().toISOString()}, ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
console.log(lines.join("\n"));
