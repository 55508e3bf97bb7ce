import { afterEach } from "vitest";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { upstreamUrlsAt, type UpstreamUrls } from "../../src/chaoxing/urls";
import { clock } from "../../src/lib/clock";
import type { AccountSpec, SimAccountInfo } from "../../src/simulator/control";
import { createSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/app";
import type { SimCourseSpec } from "../../src/simulator/model";

/** Where tests reach the simulator: one origin for every Chaoxing host. */
export const SIM_ORIGIN = "https://sim.test";

export interface InstalledSimulator extends Simulator {
  urls: UpstreamUrls;
  /** A client on this simulator (its transport is the override installed here). */
  client(opts?: { timeoutMs?: number }): ChaoxingClient;
  /** A fresh account (unique phone) with the given courses, or the demo set. */
  newAccount(courses?: SimCourseSpec[], spec?: Omit<AccountSpec, "courses">): SimAccountInfo;
  /** A fresh account and a client already logged in to it. */
  loggedIn(courses?: SimCourseSpec[]): Promise<{ account: SimAccountInfo; client: ChaoxingClient }>;
}

/**
 * Creates a fresh simulator and routes all Chaoxing traffic of this isolate to it (until the test ends).
 * Time is the shared clock: tests move it with `clock.advance(ms)`, never sleep.
 */
export function installSimulator(opts: SimulatorOptions = {}): InstalledSimulator {
  const sim = createSimulator(opts);
  setTransportOverride({ fetch: async (req) => sim.app.fetch(req) });
  const urls = upstreamUrlsAt(SIM_ORIGIN);
  const installed: InstalledSimulator = {
    ...sim,
    urls,
    client: (o = {}) => new ChaoxingClient({ urls, ...o }),
    newAccount: (courses, spec = {}) => sim.control.createAccount({ ...spec, courses }),
    async loggedIn(courses) {
      const account = installed.newAccount(courses);
      const client = installed.client();
      await client.login(account.phone, account.password);
      return { account, client };
    },
  };
  return installed;
}

/** Put the whole test file a year ahead of the wall clock, so nothing can pass by reading Date.now(). */
export function useFutureClock(): void {
  clock.setOffset(365 * 24 * 3600 * 1000);
  afterEach(() => setTransportOverride(null));
}

/** A one-chapter course with one video of `duration` seconds. */
export const videoCourse = (duration = 120, extra: Partial<SimCourseSpec> = {}): SimCourseSpec => ({
  name: "测试课程",
  teacher: "测试教师",
  chapters: [{ title: "1.1 视频", tabs: [[{ type: "video", name: "v.mp4", duration }]] }],
  ...extra,
});

/** GET/POST straight at the simulator with a client's cookies and browser headers. */
export function simFetch(
  sim: Simulator,
  path: string,
  init: { cookie?: string; headers?: Record<string, string>; method?: string; body?: string } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("Cookie", init.cookie);
  return Promise.resolve(sim.app.fetch(new Request(`${SIM_ORIGIN}${path}`, { method: init.method, headers, body: init.body })));
}
