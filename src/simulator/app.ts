import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { clock } from "../lib/clock";
import { adminRoutes } from "./admin";
import { createControl, type SimControl } from "./control";
import { hostOf } from "./hosts";
import { platformRoutes, type SimEnv } from "./platform";
import { SimState } from "./state";

export interface SimulatorOptions {
  /** Seed the demo account 13800138000 / your_password (default true). */
  seedDemo?: boolean;
}

export interface Simulator {
  app: Hono<SimEnv>;
  state: SimState;
  control: SimControl;
}

const DEFAULT_HOLD_MS = 30_000;

/**
 * An in-memory, protocol-faithful Chaoxing (chaoxing-protocol.md, its 2026 section first): every host's
 * paths, told apart by host name (hosts.ts), the platform's rules, switchable faults and platform
 * behaviour, and a control API.
 */
export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const state = new SimState(opts.seedDemo ?? true);
  const control = createControl(state);
  const app = new Hono<SimEnv>();

  app.route("/__sim", adminRoutes(control));

  // Every platform request is logged against its account (at its arrival time, so pacing can be
  // checked from the log) and may meet a switched-on fault first.
  app.use("*", async (c, next) => {
    const at = clock.now();
    state.settleDays(at);
    c.set("account", null);
    const url = new URL(c.req.url);
    const early = await faultResponse(state, url.pathname);
    if (early) c.res = early;
    else await next();
    const uid = c.get("account")?.uid ?? getCookie(c, "_uid") ?? null;
    state.record({
      at, method: c.req.method, host: (c.get("host") ?? hostOf(c.req.url)).name, path: url.pathname, query: url.search.slice(1),
      uid, status: c.res.status, referer: c.req.header("Referer") ?? null, ua: c.req.header("User-Agent") ?? null,
      accept: c.req.header("Accept") ?? null, jsession: c.get("jsessionSent") ?? "none",
    });
    return c.res;
  });

  app.route("/", platformRoutes(state));
  return { app, state, control };
}

/** The response of a switched-on fault that hits `path`, if any. */
async function faultResponse(state: SimState, path: string): Promise<Response | null> {
  const timeout = state.takeFault("timeout", path);
  if (timeout) {
    // A hung upstream: the client's own timeout should fire first.
    await new Promise((r) => setTimeout(r, timeout.holdMs ?? DEFAULT_HOLD_MS));
    return new Response("504 Gateway Time-out", { status: 504 });
  }
  const error = state.takeFault("serverError", path);
  if (error) return new Response("Service Unavailable", { status: error.status ?? 503 });
  const limited = state.takeFault("rateLimit", path);
  if (limited) return new Response("Too Many Requests", { status: 429, headers: { "Retry-After": String(limited.retryAfterS ?? 60) } });
  return null;
}
