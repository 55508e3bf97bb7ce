// Every page of the dashboard at phone size (360×740, WeChat's user agent) and at 1440×900, in zh-CN and
// English: nothing scrolls sideways, an English page shows no Chinese outside user data, and on
// the phone every control is at least 44 px tall.
// The phone pages in zh-CN are also saved as small PNGs (viewport only) for docs/screenshots.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { assertNoChinese, assertNoSidewaysScroll, DESKTOP, PHONE, settle, smallTargets } from "./checks.mjs";

/**
 * `pages`: [{ name, path, signedIn, ready? }] where `ready(page)` waits for what the page must show.
 * `token`: an admin's token for the signed-in pages.
 */
export async function sweep({ browser, base, token, pages, runner, shotsDir, docsDir, axe }) {
  for (const lang of ["zh", "en"]) {
    for (const [size, device] of [
      ["360", PHONE],
      ["1440", DESKTOP],
    ]) {
      await runner.step(`every page at ${size} px in ${lang}: no sideways scroll${size === "360" ? ", every control ≥ 44 px tall" : ""}${lang === "en" ? ", no Chinese outside user data" : ""}`, async () => {
        const failures = [];
        for (const signedIn of [false, true]) {
          const context = await browser.newContext({ ...device, locale: lang === "zh" ? "zh-CN" : "en-US", colorScheme: "light" });
          await context.addInitScript(
            ([t, l]) => {
              localStorage.setItem("cx.lang", l);
              localStorage.setItem("cx.theme", "light");
              if (t) localStorage.setItem("cx.token", t);
              else localStorage.removeItem("cx.token");
            },
            [signedIn ? token : null, lang],
          );
          const page = await context.newPage();
          page.setDefaultTimeout(20_000);
          const errors = [];
          page.on("pageerror", (e) => errors.push(e.message));
          for (const p of pages.filter((x) => x.signedIn === signedIn)) {
            const where = `${p.name} (${size} px, ${lang})`;
            try {
              await page.goto(`${base}${p.path}`);
              await settle(page);
              if (p.ready) await p.ready(page, lang);
              await settle(page);
              await assertNoSidewaysScroll(page, where);
              if (size === "360") {
                const small = await smallTargets(page);
                if (small.length) throw new Error(`${where}: controls under 44 px tall: ${small.slice(0, 6).join("; ")}`);
              }
              if (lang === "en") await assertNoChinese(page, where);
              if (size === "360" && lang === "zh") {
                const file = `phone-${p.name}.png`;
                await page.screenshot({ path: path.join(shotsDir, file) });
                if (docsDir) {
                  mkdirSync(docsDir, { recursive: true });
                  await page.screenshot({ path: path.join(docsDir, file) });
                }
                if (axe) await axe(page, where);
              }
            } catch (e) {
              failures.push(String(e?.message ?? e).split("\n")[0]);
              await page.screenshot({ path: path.join(shotsDir, `FAILED-sweep-${p.name}-${size}-${lang}.png`), fullPage: true }).catch(() => undefined);
            }
          }
          if (errors.length) failures.push(`script errors: ${errors.slice(0, 3).join(" | ")}`);
          await context.close();
        }
        if (failures.length) throw new Error(failures.join("\n"));
      });
    }
  }
}
