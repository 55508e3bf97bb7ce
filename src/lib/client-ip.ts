import type { Context } from "hono";
import type { AppEnv } from "../types";

/**
 * The caller as throttles count it: the address Cloudflare saw ("local" under wrangler dev and in tests),
 * an IPv6 address by its /64. One subscriber's line or one host usually holds a whole /64, so counting
 * single addresses would let a client rotate through 2^64 of them for fresh guesses.
 */
export function clientIp(c: Context<AppEnv>): string {
  const ip = c.req.header("CF-Connecting-IP") ?? "local";
  return ip.includes(":") ? ipv6Prefix64(ip) : ip;
}

/** `2001:db8:1:2::/64` for any address in that /64, however it is written; an IPv4-mapped one as its IPv4. */
function ipv6Prefix64(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const first4 = groups.slice(0, 4);
  // Not an address Cloudflare would send: counted as it is (bounded), never merged with others.
  if (first4.length < 4 || !first4.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return ip.slice(0, 64);
  return `${first4.map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
