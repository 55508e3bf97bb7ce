// Part of `npm run test:e2e`: a new student on a phone inside WeChat (360 px, WeChat's user agent), in zh-CN
// and in English, from nothing to a running task without ever typing a Chaoxing password: register → the
// quick start → the Relay page (egress through the relay, a pairing code) → the agent started by the served
// one-line installer (as test/e2e/installer.mjs, `--no-service`), confirmed as the student's own → the quick
// start's QR binding, scanned and confirmed through the simulator's control (the 学习通 app) → a task created
// on the Courses page → running.
// Every screen on the way is axe-checked. `--base URL --sim URL` reuses a running `npm run dev`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PHONE, settle } from "./checks.mjs";
import { launchBrowser, makeRunner, shotsDir, startApp } from "./harness.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

console.log("QR onboarding: register → quick start → relay by the installer → QR binding → a running task, zh and en, 360 px WeChat");
const app = arg("--base") ? { base: arg("--base"), sim: arg("--sim"), stop: () => undefined } : await startApp();
const { base, sim } = app;
const runner = makeRunner(path.join(shotsDir, "qr-onboarding"));
const browser = await launchBrowser();
const agents = [];

/** The words each language shows where the test has to find something by its text. */
const WORDS = {
  zh: { register: "注册", relayOk: "确定使用中继", nickname: "张同学", scanned: "已扫码：张同学", course: "大学生心理健康教育", running: "运行中" },
  en: { register: "Register", relayOk: "Use my relay", nickname: "Alex Student", scanned: "Scanned: Alex Student", course: "大学生心理健康教育", running: "Running" },
};

const simAction = async (body) => {
  const r = await fetch(`${sim}/__sim/actions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`simulator ${body.action}: ${r.status} ${await r.text()}`);
  return r.json();
};

try {
  for (const lang of ["zh", "en"]) await journey(lang);
} finally {
  for (const stop of agents) stop();
  await browser.close();
  await app.stop();
}
process.exit(runner.summary() ? 1 : 0);

async function journey(lang) {
  const w = WORDS[lang];
  // A Chaoxing account of this student's own: its password is never typed anywhere in this journey.
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const made = await fetch(`${sim}/__sim/accounts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ phone, password: `secret-${phone}`, name: w.nickname }),
  });
  if (made.status !== 201) throw new Error(`simulator account: ${made.status} ${await made.text()}`);

  const ctx = await browser.newContext({ ...PHONE, locale: lang === "zh" ? "zh-CN" : "en-US" });
  await ctx.addInitScript((l) => localStorage.setItem("cx.lang", l), lang === "zh" ? "zh-CN" : "en");
  const page = await ctx.newPage();
  const step = (name, fn) => runner.step(`[${lang}] ${name}`, fn, page);
  const check = async (name) => {
    await settle(page);
    await runner.check(page, `qr-${lang}-${name}`);
  };
  const typed = [];
  page.on("request", (r) => {
    const body = r.postData();
    if (body) typed.push(body);
  });

  await step("register and land on the quick start", async () => {
    await page.goto(`${base}/register`);
    const user = `qr${lang}${Date.now().toString(36)}`;
    await page.locator("#username").fill(user);
    await page.locator("#email").fill(`${user}@example.com`);
    await page.locator("#password").fill("qr-e2e-pass-1");
    await page.locator("#confirm").fill("qr-e2e-pass-1");
    await page.locator("button[type=submit]", { hasText: w.register }).click();
    await page.waitForURL(`${base}/`);
    await page.getByTestId("guide-account").waitFor();
    await check("overview");
  });

  await step("the Relay page: egress through the relay, a pairing code, the agent from the served installer comes online and is confirmed", async () => {
    await page.goto(`${base}/relay`);
    await page.getByTestId("egress-relay").click();
    await page.getByRole("button", { name: w.relayOk }).click();
    await page.getByTestId("relay-none-online").waitFor();
    await page.getByTestId("new-pairing-code").click();
    const line = (await page.getByTestId("pairing-command").innerText()).trim();
    if (!/^curl -fsSL \S+\/relay\/install\.sh \| sh -s -- --url \S+ --pair \S+/.test(line)) throw new Error(`install line: ${line}`);
    await check("relay-pairing");
    const home = mkdtempSync(path.join(tmpdir(), "qr-e2e-home-"));
    agents.push(() => {
      try {
        process.kill(Number(readFileSync(path.join(home, ".chaoxing-relay", "relay.pid"), "utf8")), "SIGTERM");
      } catch {
        /* never started */
      }
    });
    // The line exactly as shown, plus --no-service: a test must not install a service on its machine.
    const out = [];
    const install = spawn("sh", ["-c", `${line} --no-service`], { env: { ...process.env, HOME: home, LANG: lang === "zh" ? "zh_CN.UTF-8" : "en_US.UTF-8" }, stdio: ["ignore", "pipe", "pipe"] });
    install.stdout.on("data", (b) => out.push(b.toString()));
    install.stderr.on("data", (b) => out.push(b.toString()));
    const exit = await new Promise((r) => install.on("exit", r));
    if (exit !== 0) throw new Error(`installer exited ${exit}:\n${out.join("")}`);
    // Online but carrying nothing until its owner says it is theirs (the row's confirm button).
    const unconfirmed = page.locator('[data-testid="relay-row"][data-online="yes"][data-confirmed="no"]');
    await unconfirmed.waitFor({ timeout: 30_000 });
    await check("relay-unconfirmed");
    await unconfirmed.getByTestId("relay-confirm").click();
    await page.locator('[data-testid="relay-row"][data-online="yes"][data-confirmed="yes"]').waitFor({ timeout: 15_000 });
    await check("relay-online");
  });

  await step("the quick start leads to the QR binding; scanned (the nickname shown) and confirmed in the app, it binds", async () => {
    await page.goto(`${base}/`);
    await page.locator('[data-testid="guide-relay"][data-done="yes"]').waitFor();
    await page.locator('[data-testid="guide-account"][data-done="no"]').waitFor();
    // The current step's button: to the scan.
    await page.locator(".ant-steps-item-process button").click();
    await page.waitForURL(/\/settings\?bind=qr$/);
    const img = page.getByTestId("qr-image");
    await img.waitFor({ timeout: 30_000 });
    const width = await img.evaluate((el) => el.getBoundingClientRect().width);
    if (width < 250) throw new Error(`the QR code is ${width}px wide on a 360 px phone`);
    await check("qr-code");
    await simAction({ action: "qrScan", phone });
    await page.getByTestId("qr-status").filter({ hasText: w.scanned }).waitFor({ timeout: 15_000 });
    await check("qr-scanned");
    await simAction({ action: "qrConfirm" });
    await page.getByTestId("qr-bound").filter({ hasText: phone }).waitFor({ timeout: 15_000 });
    await page.getByTestId("qr-login-mode").waitFor();
    await check("qr-bound");
  });

  await step("a task created on the Courses page runs through the relay, and no Chaoxing password was ever sent", async () => {
    await page.goto(`${base}/courses`);
    // A phone shows the courses as cards: the course's own checkbox, by its label.
    const pick = page.getByRole("checkbox", { name: new RegExp(w.course) }).first();
    await pick.waitFor({ timeout: 30_000 });
    await check("courses");
    await pick.check();
    await page.getByTestId("create-task").click();
    await page.getByRole("dialog").waitFor();
    await check("create-task");
    await page.getByTestId("create-start").click();
    await page.waitForURL(/\/tasks\/\d+$/, { timeout: 30_000 });
    await page.locator(".page-head .ant-tag", { hasText: w.running }).first().waitFor({ timeout: 30_000 }).catch(async (e) => {
      // Say what the task showed instead (a pause's reason, a queue), so a failure on a loaded machine can be read.
      const id = page.url().split("/").pop();
      const task = await page.evaluate(async (tid) => (await fetch(`/api/tasks/${tid}`, { headers: { Authorization: `Bearer ${localStorage.getItem("cx.token")}` } })).json(), id);
      const tags = await page.locator(".page-head .ant-tag").allTextContents();
      throw new Error(`${e.message}\n      tags ${JSON.stringify(tags)}; task ${JSON.stringify({ status: task.status, reason: task.reason, error: task.error_code })}`);
    });
    await check("task-running");
    const leaked = typed.filter((b) => b.includes(`secret-${phone}`) || /cx_password/.test(b));
    if (leaked.length) throw new Error(`a Chaoxing password was sent: ${leaked[0]}`);
    const relays = await page.evaluate(async () => (await fetch("/api/relays", { headers: { Authorization: `Bearer ${localStorage.getItem("cx.token")}` } })).json());
    if (!(relays.relays?.[0]?.requests_today > 0)) throw new Error(`no request went through the relay: ${JSON.stringify(relays.relays)}`);
  });
  await ctx.close();
}
