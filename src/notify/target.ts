/**
 * Where a notification may be sent: HTTPS on port 443 to a public host only, so a user's
 * webhook (and its test button) cannot make the worker probe internal addresses or the ports of public
 * ones. IPv4 literals in the IANA special-purpose ranges are refused (private, loopback, link-local,
 * CGNAT, documentation, benchmarking, multicast, reserved); an IPv6 literal must be global unicast
 * (2000::/3) outside its special blocks (IETF protocol assignments 2001::/23 with Teredo and
 * benchmarking, documentation 2001:db8::/32 and 3fff::/20, 6to4 2002::/16), or NAT64 of a public IPv4;
 * so IPv4-mapped, -compatible and -translated forms, discard-only 100::/64, ULA, link-local and multicast
 * are all refused (IANA IPv6 Special-Purpose Address Registry). Local names are refused (`localhost`,
 * `*.local`, `*.internal`, names without a dot). Numeric, hex and octal IPv4 spellings need no rule of
 * their own: the WHATWG URL parser already turns `https://0x7f.1/`, `https://2130706433/` and
 * `https://0177.0.0.1/` into `127.0.0.1`. A name that resolves to a private address is not caught here;
 * Workers' egress does not reach private networks, and redirects are never followed (src/notify/sender.ts).
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
  // The parser leaves the port empty for https on 443.
  if (url.port !== "") return { ok: false, reason: "只允许默认端口 443" };
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[")) return publicV6(host.slice(1, -1)) ? { ok: true, url } : { ok: false, reason: "不允许内网、回环或保留的 IPv6 地址" };
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
  const z = octets[2] ?? 0;
  return (
    x === 0 || // "this" network
    x === 10 ||
    (x === 100 && y >= 64 && y <= 127) || // CGNAT 100.64/10
    x === 127 ||
    (x === 169 && y === 254) || // link-local
    (x === 172 && y >= 16 && y <= 31) ||
    (x === 192 && y === 168) ||
    (x === 192 && y === 0 && (z === 0 || z === 2)) || // protocol assignments, documentation (TEST-NET-1)
    (x === 192 && y === 88 && z === 99) || // 6to4 relay anycast (deprecated)
    (x === 198 && y === 51 && z === 100) || // documentation (TEST-NET-2)
    (x === 203 && y === 0 && z === 113) || // documentation (TEST-NET-3)
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

/** Global unicast outside the special blocks, or the well-known NAT64 prefix 64:ff9b::/96 of a public IPv4. */
function publicV6(addr: string): boolean {
  const g = parseV6(addr);
  if (!g) return false;
  const [g0 = 0, g1 = 0] = g;
  if (g0 === 0x64 && g1 === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return !privateV4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  return (
    (g0 & 0xe000) === 0x2000 && // global unicast 2000::/3
    !(g0 === 0x2001 && g1 < 0x200) && // IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID…)
    !(g0 === 0x2001 && g1 === 0xdb8) && // documentation
    g0 !== 0x2002 && // 6to4 (deprecated)
    !(g0 === 0x3fff && g1 < 0x1000) // documentation 3fff::/20
  );
}
