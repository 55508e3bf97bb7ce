/**
 * Where a notification may be sent (issue 15): HTTPS to a public host only, so a user's webhook cannot
 * make the worker probe internal addresses. IP literals in private, loopback, link-local, CGNAT,
 * multicast and ULA ranges are refused, and so are local names (`localhost`, `*.local`, `*.internal`,
 * names without a dot). Numeric, hex and octal IPv4 spellings need no rule of their own: the WHATWG URL
 * parser already turns `https://0x7f.1/`, `https://2130706433/` and `https://0177.0.0.1/` into
 * `127.0.0.1`. A name that resolves to a private address is not caught here; Workers' egress does not
 * reach private networks, and redirects are never followed (src/notify/sender.ts).
 *
 * The origins in `NOTIFY_ALLOWED_ORIGINS` (a capture server in development and tests) pass as they are:
 * allowed by explicit configuration, never by default.
 */
export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa"];

export function checkTarget(raw: string, allowedOrigins: readonly string[]): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "不是有效的网址" };
  }
  if (allowedOrigins.includes(url.origin)) return { ok: true, url };
  if (url.protocol !== "https:") return { ok: false, reason: "只允许 https:// 地址" };
  if (url.username || url.password) return { ok: false, reason: "网址中不能包含用户名或密码" };
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[")) return privateV6(host.slice(1, -1)) ? { ok: false, reason: "不允许内网、回环或保留的 IPv6 地址" } : { ok: true, url };
  const v4 = parseV4(host);
  if (v4) return privateV4(v4) ? { ok: false, reason: "不允许内网、回环或保留的 IP 地址" } : { ok: true, url };
  if (host === "localhost" || LOCAL_SUFFIXES.some((s) => host.endsWith(s)) || !host.includes("."))
    return { ok: false, reason: "不允许本机或内网主机名" };
  return { ok: true, url };
}

/** Dotted-quad octets of an IPv4 literal as the URL parser leaves it, or null for a name. */
function parseV4(host: string): number[] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return m ? m.slice(1).map(Number) : null;
}

function privateV4(octets: number[]): boolean {
  const x = octets[0] ?? 0;
  const y = octets[1] ?? 0;
  return (
    x === 0 || // "this" network
    x === 10 ||
    (x === 100 && y >= 64 && y <= 127) || // CGNAT 100.64/10
    x === 127 ||
    (x === 169 && y === 254) || // link-local
    (x === 172 && y >= 16 && y <= 31) ||
    (x === 192 && y === 168) ||
    (x === 192 && y === 0) || // 192.0.0/24 protocol assignments (and 192.0.2/24 documentation)
    (x === 198 && (y === 18 || y === 19)) || // benchmarking
    x >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of a (URL-normalised, so compressed and hex-only) IPv6 literal. */
function parseV6(addr: string): number[] | null {
  const [head, tail, extra] = addr.split("::");
  if (extra !== undefined) return null;
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  const groups = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

function privateV6(addr: string): boolean {
  const g = parseV6(addr);
  if (!g) return true;
  const [g0 = 0, g1 = 0] = g;
  const embeddedV4 = (i: number) => [g[i] >> 8, g[i] & 0xff, g[i + 1] >> 8, g[i + 1] & 0xff];
  if (g.slice(0, 5).every((x) => x === 0)) return true; // ::, ::1, IPv4-compatible and IPv4-mapped (::ffff:a.b.c.d)
  if (g0 === 0x64 && g1 === 0xff9b) return privateV4(embeddedV4(6)); // NAT64
  if (g0 === 0x2002) return privateV4(embeddedV4(1)); // 6to4
  return (
    (g0 & 0xfe00) === 0xfc00 || // ULA fc00::/7
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xffc0) === 0xfec0 || // site-local fec0::/10 (deprecated)
    (g0 & 0xff00) === 0xff00 // multicast
  );
}
