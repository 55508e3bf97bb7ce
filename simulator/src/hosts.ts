/**
 * Which Chaoxing host a request is for. The platform is several hosts (passport2, mooc2-ans, mooc1 and its
 * numbered siblings, mooc1-api, zhibo for live replays, sso for the account's own profile), each with its own host-only `JSESSIONID`/`route` beside the login cookies
 * set for the parent domain. The simulator tells them apart by the request's host name:
 *
 * - `<label>.<parent>` where label is a Chaoxing host (`passport2.chaoxing.com`, or `mooc1.sim.test` in the
 *   tests): that host, and login cookies go to `Domain=.<parent>`; each host serves only its own paths.
 * - anything else (`localhost:8001`, one test origin): "local", every host's paths on that one origin and
 *   every cookie host-only there. This is how `npm run dev` and `npm run sim` run behind one base URL.
 */

export type HostName = "passport2" | "mooc2-ans" | "mooc1-api" | "zhibo" | "sso" | `mooc1${string}` | "local";

export interface SimHost {
  name: HostName;
  /** Parent domain for the login cookies (`chaoxing.com`), or null for "local". */
  parent: string | null;
  /** The request's own origin. */
  origin: string;
}

/** The passport's paths, none of which needs a session: the password login and the QR-code login. */
export const PASSPORT_PATHS: ReadonlySet<string> = new Set(["/login", "/fanyalogin", "/createqr", "/getauthstatus", "/getauthstatus/v2"]);

/** The logged-in account's profile (uid, name, phone): how a QR login learns whose account it opened. */
export const SSO_PROFILE_PATH = "/apis/login/userLogin4Uname.do";

const MOOC1 = /^mooc1(-\d+)?$/;

export function hostOf(url: string): SimHost {
  const u = new URL(url);
  const dot = u.hostname.indexOf(".");
  const label = dot > 0 ? u.hostname.slice(0, dot) : "";
  const parent = dot > 0 ? u.hostname.slice(dot + 1) : "";
  const known = label === "passport2" || label === "mooc2-ans" || label === "mooc1-api" || label === "zhibo" || label === "sso" || MOOC1.test(label);
  if (!known || !parent.includes(".")) return { name: "local", parent: null, origin: u.origin };
  return { name: label as HostName, parent, origin: u.origin };
}

/** The https origin of another host of the same platform (links and redirects are https://); "local" stays put. */
export function originOf(from: SimHost, name: Exclude<HostName, "local">): string {
  return from.parent === null ? from.origin : `https://${name}.${from.parent}`;
}

const CAPTCHA_PATHS = ["/antispiderShowVerify.ac", "/processVerifyPng.ac", "/html/processVerify.ac"];

/** Whether `host` serves `path` (every path for "local"). */
export function serves(host: HostName, path: string): boolean {
  if (host === "local") return true;
  if (host === "passport2") return PASSPORT_PATHS.has(path);
  if (CAPTCHA_PATHS.includes(path)) return true;
  if (host === "mooc2-ans") return path.startsWith("/mooc2-ans/");
  if (host === "mooc1-api") return path === "/job/myjobsnodesmap";
  if (host === "zhibo") return path === "/saveTimePc";
  if (host === "sso") return path === SSO_PROFILE_PATH;
  return path.startsWith("/mooc-ans/") || path.startsWith("/ananas/") || path.startsWith("/visit/") || path.startsWith("/star3/");
}
