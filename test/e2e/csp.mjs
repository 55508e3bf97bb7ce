// Part of `npm run test:e2e`, after the main journey (run.mjs): the dashboard and Swagger UI in chromium
// under our security headers (src/lib/security-headers.ts, web/public/_headers). It fails
// on any Content-Security-Policy violation, console error or page error, and when Swagger UI does not
// render the operations of /api/openapi.json. `--base URL` reuses a running `npm run dev`.
import { launchBrowser, startApp } from "./harness.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

console.log("CSP check: the dashboard and Swagger UI under the security headers");
const app = arg("--base") ? { base: arg("--base"), stop: () => undefined } : await startApp();
const browser = await launchBrowser();
const problems = [];
let passed = 0;
let failed = 0;
try {
  const { base } = app;
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  // Before any page script: record every violation the page reports (the listener itself is injected
  // by the browser driver, which the page's CSP does not govern).
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));

  /** Opens `path`, waits for `ready`, then collects what the page reported. */
  const visit = async (path, ready) => {
    const before = problems.length;
    const res = await page.goto(`${base}${path}`);
    const csp = res?.headers()["content-security-policy"] ?? "";
    if (!/script-src 'self'(;|$)/.test(csp)) problems.push(`${path}: no strict script-src in its CSP: "${csp}"`);
    await ready();
    await page.waitForTimeout(500); // late style injections and socket connects report here too
    for (const v of await page.evaluate(() => window.__csp)) problems.push(`CSP violation on ${path}: ${v}`);
    const ok = problems.length === before;
    if (ok) passed++;
    else failed++;
    console.log(`  ${ok ? "✓" : "✗"} ${path}`);
  };

  await visit("/login", () => page.getByRole("heading", { name: "登录" }).waitFor());

  const user = `csp${Date.now().toString(36)}`;
  const reg = await fetch(`${base}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: user, email: `${user}@example.com`, password: "csp-password-1" }),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const { access_token } = await reg.json();
  await page.evaluate((t) => localStorage.setItem("cx.token", t), access_token);
  // The signed-in pages: antd's CSS-in-JS, the live socket, forms, tables and the dark theme's tokens.
  await visit("/", () => page.getByRole("heading", { level: 1 }).first().waitFor());
  await visit("/tasks", () => page.getByRole("heading", { level: 1 }).first().waitFor());
  await visit("/settings", () => page.getByRole("heading", { level: 1 }).first().waitFor());
  await visit("/profile", () => page.getByRole("heading", { level: 1 }).first().waitFor());

  const doc = await (await fetch(`${base}/api/openapi.json`)).json();
  const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  await visit("/api/docs", async () => {
    await page.locator(".opblock").first().waitFor();
    const shown = await page.locator(".opblock").count();
    if (shown !== operations) problems.push(`/api/docs: Swagger UI shows ${shown} operations, the document has ${operations}`);
    // Expanding one renders its parameters, schemas and the "try it out" form as well.
    await page.locator(".opblock-summary").first().click();
    await page.locator(".opblock-body").first().waitFor();
  });
  await context.close();
} catch (e) {
  problems.push(`aborted: ${e?.stack ?? e}`);
  failed++;
} finally {
  await browser.close();
  app.stop();
}
for (const p of problems) console.log(`  ✗ ${p}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(problems.length ? 1 : 0);
