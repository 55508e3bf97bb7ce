/** Base URLs of the Chaoxing hosts; from configuration so the same client talks to Chaoxing or the simulator. */
export interface UpstreamUrls {
  passport: string;
  mooc2: string;
  mooc1: string;
  mooc1Api: string;
  /** Live replays' `saveTimePc` (2026-12 item 12). */
  zhibo: string;
  /**
   * The session's own account (`/apis/login/userLogin4Uname.do`): whose account a QR login opened. Not
   * configured apart: the passport's sibling `sso` host (`passport2.chaoxing.com` → `sso.chaoxing.com`),
   * or the passport's own origin when that is not named `passport2.…` (the simulator behind one origin).
   */
  sso: string;
}

export interface UpstreamUrlEnv {
  CX_PASSPORT_URL: string;
  CX_MOOC2_URL: string;
  CX_MOOC1_URL: string;
  CX_MOOC1_API_URL: string;
  CX_ZHIBO_URL: string;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, "");

export function upstreamUrlsFromEnv(env: UpstreamUrlEnv): UpstreamUrls {
  return {
    passport: trimSlash(env.CX_PASSPORT_URL),
    mooc2: trimSlash(env.CX_MOOC2_URL),
    mooc1: trimSlash(env.CX_MOOC1_URL),
    mooc1Api: trimSlash(env.CX_MOOC1_API_URL),
    zhibo: trimSlash(env.CX_ZHIBO_URL),
    sso: ssoOf(env.CX_PASSPORT_URL),
  };
}

function ssoOf(passport: string): string {
  const u = new URL(passport);
  if (!u.hostname.startsWith("passport2.")) return u.origin;
  u.hostname = `sso.${u.hostname.slice("passport2.".length)}`;
  return u.origin;
}

/** All hosts at one origin: how the simulator is reached. */
export function upstreamUrlsAt(origin: string): UpstreamUrls {
  const o = trimSlash(origin);
  return { passport: o, mooc2: o, mooc1: o, mooc1Api: o, zhibo: o, sso: o };
}

/**
 * Whether `url` is on one of the configured Chaoxing hosts, or on a sibling of the mooc1 host under the
 * same parent domain (`mooc1-1.chaoxing.com` beside `mooc1.chaoxing.com`): the platform names other hosts
 * for reports (`reportUrl`) and captchas (the redirect), and nothing else may receive the account's requests.
 */
export function isUpstream(urls: UpstreamUrls, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return false;
  const configured = Object.values(urls).map((x) => new URL(x));
  if (configured.some((c) => c.origin === u.origin)) return true;
  const mooc1 = new URL(urls.mooc1).hostname;
  const parent = mooc1.slice(mooc1.indexOf(".") + 1);
  return mooc1.includes(".") && parent.includes(".") && u.hostname.endsWith(`.${parent}`);
}

/**
 * The page a user opens to do a chapter in 学习通: `mycourse/studentstudy` on mooc1 with the course's
 * link `enc` from the chapter tree; without it, the course's chapter tree itself.
 */
export function chapterPageUrl(urls: UpstreamUrls, c: { courseId: string; clazzId: string; cpi: string }, chapterId: string, enc: string | null): string {
  if (!enc) return coursePageUrl(urls, c);
  const q = new URLSearchParams({ chapterId, courseId: c.courseId, clazzid: c.clazzId, cpi: c.cpi, enc, mooc2: "1" });
  return `${urls.mooc1}/mooc-ans/mycourse/studentstudy?${q}`;
}

/** The course's chapter tree (`mycourse/studentcourse` on mooc2): where a whole course is done by hand. */
export function coursePageUrl(urls: UpstreamUrls, c: { courseId: string; clazzId: string; cpi: string }): string {
  const q = new URLSearchParams({ courseid: c.courseId, clazzid: c.clazzId, cpi: c.cpi, ut: "s" });
  return `${urls.mooc2}/mooc2-ans/mycourse/studentcourse?${q}`;
}
