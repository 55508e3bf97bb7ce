import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach } from "vitest";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { setTransportOverride } from "../../src/chaoxing/transport";
import type { CookieJar } from "../../src/chaoxing/cookies";
import type { UpstreamUrls } from "../../src/chaoxing/urls";
import { clock, SHANGHAI_OFFSET_MS } from "../../shared/clock";
import type { AccountSpec, SimAccountInfo } from "../../simulator/src/control";
import { createSimulator, type Simulator, type SimulatorOptions } from "../../simulator/src/app";
import type { SimCourseSpec } from "../../simulator/src/model";

/** One origin serving every Chaoxing host's paths ("local" in simulator/src/hosts.ts). */
export const SIM_ORIGIN = "https://sim.test";
/** Each Chaoxing host at its own test origin, so host-only cookies really are per host (`.sim.test` is the parent). */
export const hostOrigin = (host: string): string => `https://${host}.sim.test`;
export const SIM_URLS: UpstreamUrls = {
  passport: hostOrigin("passport2"),
  mooc2: hostOrigin("mooc2-ans"),
  mooc1: hostOrigin("mooc1"),
  mooc1Api: hostOrigin("mooc1-api"),
  zhibo: hostOrigin("zhibo"),
  sso: hostOrigin("sso"),
};

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
  const urls = SIM_URLS;
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

/**
 * Put the whole test file a year ahead of the wall clock, so nothing can pass by reading Date.now().
 * After each test its simulator goes, and so do its tasks' alarms: Durable Object storage lasts the whole
 * file, and a task left with an alarm (still running, or completed and waiting for its next-morning
 * check) would wake in a later test's `tick()` and call a simulator that no longer knows its account.
 */
export function useFutureClock(): void {
  clock.setOffset(365 * 24 * 3600 * 1000);
  afterEach(async () => {
    setTransportOverride(null);
    for (const id of await listDurableObjectIds(env.TASKS)) await runInDurableObject(env.TASKS.get(id), (_o, state) => state.storage.deleteAlarm());
  });
}

/** Moves the shared clock forward to the next `hh:mm` in Asia/Shanghai (a day ahead if it is that time now). */
export function atShanghai(hh: number, mm = 0): void {
  const day = 24 * 3600_000;
  const ofDay = (clock.now() + SHANGHAI_OFFSET_MS) % day;
  const target = (hh * 60 + mm) * 60_000;
  clock.advance((target - ofDay + day) % day || day);
}

/** A one-chapter course with one video of `duration` seconds. */
export const videoCourse = (duration = 120, extra: Partial<SimCourseSpec> = {}): SimCourseSpec => ({
  name: "测试课程",
  teacher: "测试教师",
  chapters: [{ title: "1.1 视频", tabs: [[{ type: "video", name: "v.mp4", duration }]] }],
  ...extra,
});

/**
 * GET/POST straight at the simulator: at one host's origin (`host`, e.g. "mooc1") or at the one local origin,
 * with the cookies a jar holds for that URL (or a raw Cookie header), and the given headers.
 */
export function simFetch(
  sim: Simulator,
  path: string,
  init: { host?: string; jar?: CookieJar; cookie?: string; headers?: Record<string, string>; method?: string; body?: string } = {},
): Promise<Response> {
  const url = `${init.host ? hostOrigin(init.host) : SIM_ORIGIN}${path}`;
  const headers = new Headers(init.headers);
  const cookie = init.cookie ?? init.jar?.header(url);
  if (cookie) headers.set("Cookie", cookie);
  return Promise.resolve(sim.app.fetch(new Request(url, { method: init.method, headers, body: init.body })));
}
