import { fnv1a } from "../../shared/encoding";

/**
 * The browser a Chaoxing account's requests come from. Chaoxing returns an empty course list to clients
 * that do not look like a desktop browser, and one User-Agent shared by every account looks like one
 * client driving them all: each account gets its own stable, current desktop Chrome, derived from the
 * account and then kept with its jar (a session keeps the browser it was made in when this list moves on).
 *
 * Keep the list current: the majors of the Chrome releases of the last months, on the two desktop systems
 * students use. UA reduction: the minor parts are always 0.0.0.
 */
const CHROME_MAJORS = [141, 142, 143, 144, 145];
const PLATFORMS = [
  { ua: "Windows NT 10.0; Win64; x64", hint: '"Windows"' },
  { ua: "Macintosh; Intel Mac OS X 10_15_7", hint: '"macOS"' },
] as const;

export function userAgentFor(accountKey: string): string {
  const h = fnv1a(`ua:${accountKey}`);
  const platform = PLATFORMS[h % PLATFORMS.length]!;
  const major = CHROME_MAJORS[(h >>> 8) % CHROME_MAJORS.length]!;
  return `Mozilla/5.0 (${platform.ua}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

/** The one used when an account has none yet (a scratch client, a test). */
export const DEFAULT_USER_AGENT = userAgentFor("");

/** The headers Chrome sends with every request: the User-Agent and the client hints that must agree with it. */
export function browserHeaders(userAgent: string): Record<string, string> {
  const major = /Chrome\/(\d+)/.exec(userAgent)?.[1] ?? "141";
  const platform = PLATFORMS.find((p) => userAgent.includes(p.ua)) ?? PLATFORMS[0];
  return {
    "User-Agent": userAgent,
    "sec-ch-ua": `"Google Chrome";v="${major}", "Chromium";v="${major}", "Not_A Brand";v="99"`,
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": platform.hint,
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
  };
}
