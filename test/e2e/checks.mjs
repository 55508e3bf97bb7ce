// Page checks for the browser journey; most students open the dashboard on a phone, often inside WeChat:
// no sideways scrolling, no Chinese on an English page outside user data, and WeChat's user agent.

/** WeChat 8 on Android (its XWeb browser); the dashboard must not depend on anything it lacks. */
export const WECHAT_UA =
  "Mozilla/5.0 (Linux; Android 14; 2210132C Build/UKQ1.231003.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 " +
  "Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260117 MMWEBSDK/20240501 MMWEBID/4321 MicroMessenger/8.0.50.2701(0x2800323B) " +
  "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";

export const PHONE = { viewport: { width: 360, height: 740 }, userAgent: WECHAT_UA, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
export const DESKTOP = { viewport: { width: 1440, height: 900 } };

/** Until loading placeholders are gone and antd's animations have run. */
export async function settle(page) {
  await page.waitForLoadState("domcontentloaded");
  for (const sel of [".ant-skeleton", ".ant-spin-spinning", ".ant-spin-fullscreen"]) {
    await page.locator(sel).first().waitFor({ state: "detached", timeout: 20_000 }).catch(() => undefined);
  }
  await page.waitForTimeout(400);
}

/** Fails when the page scrolls sideways: on a 360 px phone, whatever pokes out is off-screen. */
export async function assertNoSidewaysScroll(page, where) {
  const m = await page.evaluate(() => {
    const d = document.documentElement;
    // The widest element poking out on the right, to say what to fix.
    let culprit = "";
    let right = d.clientWidth;
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > right + 0.5 && getComputedStyle(el).position !== "fixed") {
        right = r.right;
        culprit = `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join(".")} (right ${Math.round(r.right)})`;
      }
    }
    return { scroll: d.scrollWidth, client: d.clientWidth, culprit };
  });
  if (m.scroll > m.client) throw new Error(`${where}: scrollWidth ${m.scroll} > clientWidth ${m.client}; widest: ${m.culprit}`);
}

/**
 * Chinese (CJK ideographs, CJK and full-width punctuation) in the visible text of an English page,
 * outside what is marked as user data (`data-user-data`), a language name in its own language
 * (`lang="zh-…"`), or a server message the user chose to reveal (`data-server-text`); and the log lines
 * the server sent without a code (`data-log-fallback`), which only exist in Chinese: since the server
 * codes every line, there must be none.
 */
export async function chineseOnEnglishPage(page) {
  return page.evaluate(() => {
    const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
    const bad = [];
    const fallback = document.querySelectorAll("[data-log-fallback]").length;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue ?? "";
      const el = n.parentElement;
      if (!el || !CJK.test(text)) continue;
      if (el.closest("[data-user-data], [lang^='zh'], [data-server-text], script, style, noscript")) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      bad.push(text.trim().slice(0, 60));
    }
    return { bad, fallback };
  });
}

export async function assertNoChinese(page, where) {
  const r = await chineseOnEnglishPage(page);
  if (r.bad.length) throw new Error(`${where}: Chinese outside user data: ${JSON.stringify(r.bad.slice(0, 8))}`);
  if (r.fallback) throw new Error(`${where}: ${r.fallback} log lines without a code`);
}

/**
 * Interactive elements under 44 px tall on the page as it is (every control a thumb can hit on a
 * phone). Measured is what takes the tap: a checkbox's or radio's label, a segmented item, a select or
 * picker's box, a row that toggles its switch (`[data-tap-row]`), a slider's row, else the element. Links inside a
 * sentence are exempt, as WCAG 2.5.8 exempts inline targets; so is what is off screen (the skip link).
 */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const SEL = "button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=switch], [role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=option], [role=slider], [role=combobox], .ant-segmented-item";
    const BOX = "[data-tap-row], label, .ant-checkbox-wrapper, .ant-radio-wrapper, .ant-radio-button-wrapper, .ant-segmented-item, .ant-select, .ant-picker, .ant-input-affix-wrapper, .ant-input-number, .ant-slider";
    const bad = [];
    for (const el of document.querySelectorAll(SEL)) {
      if (!el.checkVisibility({ checkVisibilityCSS: true })) continue;
      if (el.closest("[aria-hidden=true], .ant-select-dropdown-hidden, .ant-dropdown-hidden, .ant-tooltip")) continue;
      // A slider keeps its thin look and takes taps in its whole row (styles.css widens its hit area).
      const box = (el.getAttribute("role") === "slider" && el.closest(".ant-form-item-control-input")) || el.closest(BOX) || el;
      const r = box.getBoundingClientRect();
      if (!r.width || !r.height || r.bottom <= 0 || r.right <= 0) continue;
      const inline = el.tagName === "A" && getComputedStyle(el).display === "inline" && el.parentElement && (el.parentElement.textContent ?? "").trim().length > (el.textContent ?? "").trim().length;
      if (inline) continue;
      if (r.height < 43.5) {
        const name = (el.getAttribute("aria-label") ?? el.textContent ?? el.getAttribute("placeholder") ?? "").trim().slice(0, 24);
        bad.push(`${el.tagName.toLowerCase()}${el.getAttribute("role") ? `[${el.getAttribute("role")}]` : ""}.${[...box.classList].slice(0, 2).join(".")} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return [...new Set(bad)];
  });
}
