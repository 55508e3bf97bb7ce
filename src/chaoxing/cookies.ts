import { clock } from "../lib/clock";

/**
 * One jar per Chaoxing account. Chaoxing sets its login cookies for `.chaoxing.com`, so every host sees
 * them; with configurable base URLs we get the same effect by ignoring Domain/Path and sending the whole
 * jar to every upstream.
 */
interface StoredCookie {
  value: string;
  /** ms since epoch on the shared clock; null = session cookie. */
  expiresAt: number | null;
}

export interface SerializedJar {
  v: 1;
  cookies: Array<[name: string, value: string, expiresAt: number | null]>;
}

export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Keep every Set-Cookie of a response; Max-Age<=0 or a past Expires deletes. */
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) this.storeLine(line);
  }

  storeLine(line: string): void {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expiresAt: number | null = null;
    for (const attr of attrs) {
      const [k, v = ""] = attr.split("=", 2).map((s) => s.trim());
      const key = k.toLowerCase();
      if (key === "max-age") {
        const secs = Number(v);
        if (Number.isFinite(secs)) expiresAt = clock.now() + secs * 1000;
        break; // Max-Age wins over Expires (RFC 6265 §5.3)
      }
      if (key === "expires") {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expiresAt = t;
      }
    }
    if (expiresAt !== null && expiresAt <= clock.now()) this.cookies.delete(name);
    else this.cookies.set(name, { value, expiresAt });
  }

  get(name: string): string | undefined {
    const c = this.cookies.get(name);
    if (!c) return undefined;
    if (c.expiresAt !== null && c.expiresAt <= clock.now()) {
      this.cookies.delete(name);
      return undefined;
    }
    return c.value;
  }

  /** The `Cookie` header value, or "" when empty. */
  header(): string {
    const parts: string[] = [];
    for (const name of [...this.cookies.keys()]) {
      const value = this.get(name);
      if (value !== undefined) parts.push(`${name}=${value}`);
    }
    return parts.join("; ");
  }

  clear(): void {
    this.cookies.clear();
  }

  toJSON(): SerializedJar {
    return { v: 1, cookies: [...this.cookies].map(([n, c]) => [n, c.value, c.expiresAt]) };
  }

  static fromJSON(data: SerializedJar): CookieJar {
    const jar = new CookieJar();
    for (const [name, value, expiresAt] of data.cookies) jar.cookies.set(name, { value, expiresAt });
    return jar;
  }
}

/** A stable desktop Chrome: Chaoxing returns an empty course list to clients that do not look like one. */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  "User-Agent":
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
  "sec-ch-ua": '"Not)A;Brand";v="8", "Chromium";v="138", "Google Chrome";v="138"',
  "sec-ch-ua-mobile": "?0",
  "sec-ch-ua-platform": '"Windows"',
  "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
};
