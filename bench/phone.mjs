// The phone budget (`npm run bench -- --only phone`): the dashboard in Debian's chromium at 360×740 with
// WeChat's user agent, on DevTools' "Fast 3G" (562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up) and a
// 4× slower CPU, both set through CDP (Network.emulateNetworkConditions, Emulation.setCPUThrottlingRate).
// Budget: first content ≤ 3 s, the task page's data ≤ 5 s, a warm reload ≤ 1.5 s.
//
// What is timed, from the navigation's start in the page's own clock:
// - first content: the browser's first-contentful-paint on `/` (signed in, empty cache);
// - task page data: the task's figures on screen (`[data-testid=overall-progress]`), empty cache;
// - warm reload: the same page reloaded in the same tab (cache warm, as a student reopening it);
// - course list: the first course row on /courses, empty cache, then on a reload (warm).
// Each is the median of RUNS loads, each cold one in a fresh browser context (its own empty cache).
import { launchBrowser } from "../test/e2e/harness.mjs";
import { PHONE } from "../test/e2e/checks.mjs";

const RUNS = Number(process.env.PHONE_RUNS ?? 3);
/** DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts), as Lighthouse's mobile throttling. */
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000) / 8 * 0.9, uploadThroughput: (750 * 1000) / 8 * 0.9 };
const CPU_SLOWDOWN = 4;
const TASK_DATA = "[data-testid=overall-progress]";
const COURSE_ROW = "[data-testid=course-row], .ant-list-item input[type=checkbox]";

/**
 * Installed before any page script: notes (performance.now()) when each watched selector first matches.
 * A MutationObserver, not polling: polling on a 4× slower CPU would itself delay what it measures.
 */
function watchScript(selectors) {
  const marks = {};
  Object.defineProperty(window, "__marks", { value: marks });
  const check = () => {
    for (const [name, sel] of Object.entries(selectors)) if (!(name in marks) && document.querySelector(sel)) marks[name] = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

/** Bytes (transferred, as encoded on the wire) and requests of the page up to `until` ms. */
const transferredUntil = (page, until) =>
  page.evaluate((t) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").filter((r) => r.responseEnd <= t);
    return { bytes: res.reduce((s, r) => s + r.transferSize, nav?.transferSize ?? 0), requests: res.length + 1 };
  }, until);

/** `PHONE_TRACE=1`: every request of the page (start → end in ms, bytes, path), to see what waits on what. */
const waterfall = (page) =>
  page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((r) => `${Math.round(r.startTime).toString().padStart(6)} → ${Math.round(r.responseEnd).toString().padStart(6)}  ${String(r.transferSize).padStart(7)}  ${new URL(r.name).pathname}`)
      .join("\n"),
  );

/** The reload's own milestones (ms from its start): the HTML, the scripts run, the page's data. */
const navTiming = (page) =>
  page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { html: Math.round(n.responseEnd), interactive: Math.round(n.domInteractive), scriptsRun: Math.round(n.domContentLoadedEventEnd), data: Math.round(window.__marks.task) };
  });

/**
 * `app`: the runtime's origin; `token`: a signed-in student's; `taskId`: a running task of theirs.
 * Returns { firstContent, taskData, taskBytes, taskRequests, warmReload, coursesCold, coursesWarm } in ms/bytes.
 */
export async function measurePhone({ app, token, taskId, log }) {
  const browser = await launchBrowser();
  const results = { firstContent: [], taskData: [], taskBytes: [], taskRequests: [], warmReload: [], coursesCold: [], coursesWarm: [] };
  const open = async () => {
    const ctx = await browser.newContext({ ...PHONE, locale: "zh-CN", colorScheme: "light" });
    await ctx.addInitScript(([tok]) => {
      localStorage.setItem("cx.token", tok);
      localStorage.setItem("cx.lang", "zh");
    }, [token]);
    await ctx.addInitScript(watchScript, { task: TASK_DATA, course: COURSE_ROW });
    const page = await ctx.newPage();
    page.setDefaultTimeout(90_000);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", FAST_3G);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    return { ctx, page };
  };
  const mark = (page, name) => page.waitForFunction((n) => window.__marks?.[n], name, { timeout: 90_000 }).then((h) => h.jsonValue());
  try {
    for (let i = 0; i < RUNS; i++) {
      log(`phone: run ${i + 1} of ${RUNS}`);
      {
        const { ctx, page } = await open();
        await page.goto(`${app}/`);
        const fcp = await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime, null, { timeout: 90_000 });
        results.firstContent.push(await fcp.jsonValue());
        await ctx.close();
      }
      {
        const { ctx, page } = await open();
        await page.goto(`${app}/tasks/${taskId}`);
        const at = await mark(page, "task");
        results.taskData.push(at);
        const t = await transferredUntil(page, at);
        results.taskBytes.push(t.bytes);
        results.taskRequests.push(t.requests);
        if (i === 0 && process.env.PHONE_TRACE) log(`phone: waterfall until the task's data (${Math.round(at)} ms)\n${await waterfall(page)}`);
        // As a student would: the page stays open a moment (the rest of the app prefetches), then reload.
        await page.waitForTimeout(8000);
        await page.reload();
        results.warmReload.push(await mark(page, "task"));
        if (i === 0 && process.env.PHONE_TRACE) log(`phone: warm reload ${JSON.stringify(await navTiming(page))}\n${await waterfall(page)}`);
        await ctx.close();
      }
      {
        const { ctx, page } = await open();
        await page.goto(`${app}/courses`);
        results.coursesCold.push(await mark(page, "course"));
        await page.waitForTimeout(3000);
        await page.reload();
        results.coursesWarm.push(await mark(page, "course"));
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
  }
  log(`phone: ${JSON.stringify(results)}`);
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}
