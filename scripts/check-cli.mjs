// `npm run check:cli`: the reference CLI (Samueli924/chaoxing), unmodified, against the simulator — it logs
// in, lists every demo course, and completes a course's video and document (chaoxing-protocol.md names
// it as the client the simulator must keep working for). Skipped, with the reason, where Python or the
// CLI's packages are missing, or where no copy of the CLI is at hand (CXCLI_DIR, default /tmp/cxcli: the
// repository's files, e.g. `git --git-dir=<mirror> archive HEAD | tar -x -C /tmp/cxcli`; never committed here).
//
// The simulator runs in this process (bundled with esbuild), behind a local HTTP server that takes the
// Chaoxing host from `X-Cx-Host` (scripts/cli-shim.py sends every *.chaoxing.com request there), so it
// answers as the real hosts do, `.chaoxing.com` cookies and all. Its clock is the wall clock: the CLI
// plays in real time, so a run takes a few minutes.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const cliDir = process.env.CXCLI_DIR ?? "/tmp/cxcli";
const python = process.env.PYTHON ?? "python3";
// Debian's python3-pyaes, python3-tqdm, … live here when the interpreter is not Debian's own.
const pythonPath = [process.env.PYTHONPATH, "/usr/lib/python3/dist-packages"].filter(Boolean).join(":");
const COURSE = "大学生心理健康教育"; // a video and a document in its first chapter (and two more videos, a read)
const FOLDER_COURSE = "大学计算机基础";

const skip = (why) => {
  console.log(`check:cli skipped: ${why}`);
  process.exit(0);
};

if (!existsSync(path.join(cliDir, "main.py"))) skip(`no copy of Samueli924/chaoxing at ${cliDir} (set CXCLI_DIR)`);
try {
  execFileSync(python, ["-c", "import requests, loguru, bs4, lxml, pyaes, tqdm, fontTools, httpx"], { env: { ...process.env, PYTHONPATH: pythonPath }, stdio: "pipe" });
} catch (e) {
  skip(`${python} lacks the CLI's packages (requests, loguru, beautifulsoup4, lxml, pyaes, tqdm, fonttools, httpx): ${String(e.stderr ?? e).trim().split("\n").at(-1)}`);
}

// The simulator, in this process. Node's WebCrypto has no MD5 (workerd's does): the report checksum needs it.
const subtle = globalThis.crypto.subtle;
const digest = subtle.digest.bind(subtle);
subtle.digest = (algo, data) =>
  (algo === "MD5" || algo?.name === "MD5") ? Promise.resolve(new Uint8Array(createHash("md5").update(new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data)).digest()).buffer) : digest(algo, data);
const outDir = mkdtempSync(path.join(tmpdir(), "check-cli-"));
await build({ entryPoints: [path.join(root, "src/simulator/app.ts")], bundle: true, platform: "node", format: "esm", outfile: path.join(outDir, "sim.mjs"), logLevel: "error" });
const { createSimulator } = await import(pathToFileURL(path.join(outDir, "sim.mjs")).href);
const sim = createSimulator();

// A job's request (media status, report, document, read, cards: only sent once logged in) without the login
// cookie `vc3`: the CLI's own race, see run 2.
let cookieless = 0;
const server = createServer(async (req, res) => {
  if (/^\/(ananas|mooc-ans)\//.test(req.url) && !/(^|;\s*)vc3=/.test(req.headers.cookie ?? "")) cookieless++;
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const host = req.headers["x-cx-host"] ?? req.headers.host;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (k !== "host" && k !== "x-cx-host" && v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  const body = chunks.length && req.method !== "GET" ? Buffer.concat(chunks) : undefined;
  const answer = await sim.app.fetch(new Request(`https://${host}${req.url}`, { method: req.method, headers, body }));
  const out = {};
  answer.headers.forEach((v, k) => {
    if (k !== "set-cookie") out[k] = v;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  res.writeHead(answer.status, out);
  res.end(Buffer.from(await answer.arrayBuffer()));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const PROMPT = "请输入想要学习的课程列表";

/**
 * One run of the CLI: its output, with `input` typed at its course prompt (null: stop it there). A worker
 * thread that raised is logged as "Error in thread", and the CLI then waits for it for ever: stopped there.
 */
function runCli(input, args = []) {
  const cwd = mkdtempSync(path.join(tmpdir(), "check-cli-run-"));
  return new Promise((resolve) => {
    const child = spawn(python, [path.join(root, "scripts/cli-shim.py"), base, cliDir, "-u", "13800138000", "-p", "your_password", "-s", "1", ...args], {
      cwd, env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: "1", NO_COLOR: "1" }, stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const seen = (d) => {
      out += d;
      if ((input === null && out.includes(PROMPT)) || out.includes("Error in thread")) child.kill("SIGTERM");
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    if (input !== null) child.stdin.end(`${input}\n`);
    const timer = setTimeout(() => child.kill("SIGTERM"), 15 * 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}

const listed = (out) => [...out.matchAll(/ID: (\d+) 班级ID: (\d+) 课程名: (.+)/g)].map((m) => ({ courseId: m[1], clazzId: m[2], name: m[3].trim() }));
const demo = sim.control.account("13800138000");
const expected = demo.courses.filter((c) => !c.notOpen);
const course = demo.courses.find((c) => c.name === COURSE);
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failed++;
};

// 1. The platform as 2026-12 has it: a folder's list posted without the root list's Referer (the CLI omits
// it) is not a course list, and the folder's course is silently missed (chaoxing-protocol.md item 7).
console.log(`simulator at ${base}; the CLI at ${cliDir}\n-- run 1: folder lists strict about their Referer (the default), course list only`);
const strict = await runCli(null);
const strictList = listed(strict.out);
console.log(strictList.map((c) => `   listed ${c.name} (${c.courseId}/${c.clazzId})`).join("\n"));
check(strict.out.includes("登录成功"), "run 1: logged in");
check(!strictList.some((c) => c.name === FOLDER_COURSE), `run 1: the folder's course ${FOLDER_COURSE} is missed, as item 7 says of this CLI`);

// 2. Folder lists as the reference CLI expects them: every demo course listed, then one course studied.
sim.control.setPlatform({ folderListNeedsReferer: false });
console.log(`-- run 2: folder lists answered without the Referer; studying ${COURSE} (${course.courseId}) at 1×`);
const started = Date.now();
// The CLI's SessionManager builds a new requests.Session on every get_session() (its __init__ runs on each
// call) and fills in the cookies last, so a thread starting a job while another does can send one request
// without the login cookies (seen on the media status, a read): the simulator, like the real platform
// (which can tie such a request to no user either), sends it to the login page, the thread dies on a page
// that is not JSON, and the CLI hangs. That race is the CLI's, not the simulator's: such a run is run again (the jobs it passed pass at once), twice at most.
let run;
for (let attempt = 1; ; attempt++) {
  const before = cookieless;
  run = await runCli(course.courseId);
  const raced = run.out.includes("Error in thread") && cookieless > before;
  if (!raced || attempt === 3) break;
  console.log(`   attempt ${attempt}: a CLI thread sent ${cookieless - before} request(s) without its login cookie and died (its session race); again`);
}
const list = listed(run.out);
console.log(list.map((c) => `   listed ${c.name} (${c.courseId}/${c.clazzId})`).join("\n"));
console.log(run.out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").split(/[\r\n]+/).map((l) => l.trim()).filter((l) => /任务完成|任务瞬间完成|文档任务|阅读任务|空页面|章节|ERROR|Error|Traceback|403/.test(l)).slice(0, 40).map((l) => `   | ${l}`).join("\n"));
check(run.out.includes("登录成功"), "run 2: logged in");
check(expected.every((c) => list.some((l) => l.courseId === c.courseId && l.clazzId === c.clazzId)) && list.length === expected.length, `run 2: lists every demo course (${list.length} of ${expected.length} classes)`);
const jobs = course.chapters.flatMap((ch) => ch.jobs);
const video = jobs.find((j) => j.type === "video");
const doc = jobs.find((j) => j.type === "document");
const snap = sim.control.snapshot().accounts.find((a) => a.phone === "13800138000");
check(sim.control.jobProgress("13800138000", video.jobid)?.passed === true, `run 2: the video ${video.name} passed`);
check(snap.courses.find((c) => c.clazzId === course.clazzId).finished >= 2 && sim.state.done.has(`${demo.uid}|${doc.jobid}`), `run 2: the document ${doc.name} done`);
const reports = sim.control.requests("13800138000").filter((r) => r.path.includes("/multimedia/log/"));
console.log(`   ${reports.length} reports (${reports.filter((r) => r.status !== 200).length} refused), ${Math.round((Date.now() - started) / 1000)} s; course now ${JSON.stringify(snap.courses.find((c) => c.clazzId === course.clazzId))}`);
check(run.code === 0, `run 2: the CLI exited ${run.code}`);

server.close();
rmSync(outDir, { recursive: true, force: true });
console.log(failed ? `check:cli: ${failed} failed` : "check:cli: the reference CLI logs in, lists every demo course, and completes a video and a document");
process.exit(failed ? 1 : 0);
