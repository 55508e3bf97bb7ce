import { clock } from "../../shared/clock";

/**
 * One jar per Chaoxing account, keeping cookies as RFC 6265 (§5.3, §5.4) does: per domain and path, with
 * expiry, host-only when Set-Cookie names no Domain. Chaoxing sets its login cookies for `.chaoxing.com`
 * but each host its own host-only `JSESSIONID`/`route`: a jar keyed by name alone lets the hosts overwrite
 * each other's session. Not a general-purpose jar: no public-suffix list (we only talk to the configured
 * Chaoxing hosts, and a Domain must still domain-match the host that set it), no SameSite (no browsing
 * contexts). The jar also carries the account's User-Agent, so the session keeps the browser it was made in.
 */
interface StoredCookie {
  name: string;
  value: string;
  /** lowercase, without a leading dot */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** ms on the shared clock; null = session cookie */
  expiresAt: number | null;
}

type Row = [name: string, value: string, domain: string, path: string, hostOnly: boolean, secure: boolean, expiresAt: number | null];

export interface SerializedJar {
  v: 2;
  ua: string | null;
  cookies: Row[];
}

/** RFC 6265 §5.1.3 */
export function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host));
}

/** RFC 6265 §5.1.4 */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(url: URL): string {
  const p = url.pathname;
  if (!p.startsWith("/") || p.lastIndexOf("/") === 0) return "/";
  return p.slice(0, p.lastIndexOf("/"));
}

export class CookieJar {
  /** In creation order, which is also the order of equal-length paths in a Cookie header. */
  private cookies: StoredCookie[] = [];
  /** The account's User-Agent, kept with its session (see `ChaoxingClient.userAgentFor`). */
  userAgent: string | null = null;

  /** Keeps every Set-Cookie of a response to `url`; Max-Age<=0 or a past Expires deletes. */
  store(res: Response, url: string): void {
    for (const line of res.headers.getSetCookie()) this.storeLine(line, url);
  }

  storeLine(line: string, requestUrl: string): void {
    const url = new URL(requestUrl);
    const host = url.hostname.toLowerCase();
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let domain: string | null = null;
    let path: string | null = null;
    let secure = false;
    let maxAge: number | null = null;
    let expires: number | null = null;
    for (const attr of attrs) {
      const i = attr.indexOf("=");
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? "" : attr.slice(i + 1).trim();
      if (key === "domain" && v) domain = v.replace(/^\./, "").toLowerCase();
      else if (key === "path") path = v.startsWith("/") ? v : null;
      else if (key === "secure") secure = true;
      else if (key === "max-age" && /^-?\d+$/.test(v)) maxAge = Number(v);
      else if (key === "expires") {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    // A Domain the setting host does not belong to (or a bare top-level name) is refused.
    if (domain !== null && (!domainMatches(host, domain) || (!domain.includes(".") && domain !== host))) return;
    const now = clock.now();
    // Max-Age wins over Expires (§5.3 step 3).
    const expiresAt = maxAge !== null ? now + maxAge * 1000 : expires;
    const cookie: StoredCookie = {
      name, value, domain: domain ?? host, hostOnly: domain === null, path: path ?? defaultPath(url), secure, expiresAt,
    };
    const i = this.cookies.findIndex((c) => c.name === name && c.domain === cookie.domain && c.path === cookie.path);
    if (expiresAt !== null && expiresAt <= now) {
      if (i >= 0) this.cookies.splice(i, 1);
      return;
    }
    if (i >= 0) this.cookies[i] = cookie;
    else this.cookies.push(cookie);
  }

  private live(): StoredCookie[] {
    const now = clock.now();
    this.cookies = this.cookies.filter((c) => c.expiresAt === null || c.expiresAt > now);
    return this.cookies;
  }

  /** A cookie's value by name, whatever its domain (`_uid`, `fid`: the login cookies are domain-wide). */
  get(name: string): string | undefined {
    return this.live().find((c) => c.name === name)?.value;
  }

  /** The `Cookie` header for a request to `url` (§5.4), or "" when nothing matches. */
  header(url: string): string {
    const u = new URL(url);
    const host = u.hostname.toLowerCase();
    return this.live()
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) && pathMatches(u.pathname, c.path) && (!c.secure || u.protocol === "https:"))
      .map((c, i) => ({ c, i }))
      .sort((a, b) => b.c.path.length - a.c.path.length || a.i - b.i)
      .map(({ c }) => `${c.name}=${c.value}`)
      .join("; ");
  }

  /** A fresh session: every cookie goes, the account's User-Agent stays. */
  clear(): void {
    this.cookies = [];
  }

  /** Names and values of every cookie, to tell whether a response changed the session. */
  fingerprint(): string {
    return this.live().map((c) => `${c.domain}${c.path}${c.name}=${c.value}`).join(";");
  }

  toJSON(): SerializedJar {
    return { v: 2, ua: this.userAgent, cookies: this.live().map((c) => [c.name, c.value, c.domain, c.path, c.hostOnly, c.secure, c.expiresAt]) };
  }

  /** A stored jar; one of the first format (names only, no domains) cannot be placed, so it starts empty. */
  static fromJSON(data: SerializedJar | { v: 1 }): CookieJar {
    const jar = new CookieJar();
    if (data.v !== 2) return jar;
    jar.userAgent = data.ua;
    jar.cookies = data.cookies.map(([name, value, domain, path, hostOnly, secure, expiresAt]) => ({ name, value, domain, path, hostOnly, secure, expiresAt }));
    return jar;
  }
}
