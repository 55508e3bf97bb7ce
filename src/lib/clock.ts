/**
 * The one clock that the engine, the account pacing and the simulator all read.
 * Production reads the wall clock; tests freeze it and shift it forward (never sleep), then run the
 * alarms that fell due. Module state is shared by everything in one isolate (worker, its DOs, tests).
 *
 * `sleep` is the one way code waits (the account's request pacing, src/chaoxing/paced.ts): in
 * production a real timer, which costs no CPU time. Tests switch it to `virtualSleep`
 * (test/setup.ts), which moves this clock forward to the end of the wait instead of waiting.
 */
let offsetMs = 0;
/** The wall clock's part: `Date.now` in production; in tests fixed once (`clock.freeze`). */
let wall: () => number = () => Date.now();

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** For tests: the wait is over at once, the clock having moved `ms` forward. */
export function virtualSleep(ms: number): Promise<void> {
  clock.advance(ms);
  return Promise.resolve();
}

let sleeper: (ms: number) => Promise<void> = realSleep;

export const clock = {
  now(): number {
    return wall() + offsetMs;
  },
  /** Waits `ms` of this clock's time. */
  sleep(ms: number): Promise<void> {
    return ms > 0 ? sleeper(ms) : Promise.resolve();
  },
  /** Test hook: how `sleep` waits (`virtualSleep` in tests; null restores the real timer). */
  setSleep(fn: ((ms: number) => Promise<void>) | null): void {
    sleeper = fn ?? realSleep;
  },
  /** Test hook: move the shared clock forward by `ms`. */
  advance(ms: number): void {
    offsetMs += ms;
  },
  /**
   * Test hook: from now on the wall clock's part stands still, so only `advance` (and `virtualSleep`)
   * move time. Otherwise the real time a test takes, longer on a loaded machine, leaks into every
   * position and duration the engine and the simulator compute.
   */
  freeze(): void {
    const at = Date.now();
    wall = () => at;
  },
  /** Test hook: set the offset from the wall clock. */
  setOffset(ms: number): void {
    offsetMs = ms;
  },
  /** Test hook: the clock reads `at` now. */
  setNow(at: number): void {
    offsetMs = at - wall();
  },
};

export const isoNow = (): string => new Date(clock.now()).toISOString();

/** Asia/Shanghai is UTC+8 all year (no DST): "today" and per-day statistics use its days (api-contract.md). */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant. */
export const shanghaiDay = (ms: number): string => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** `MM-DD HH:MM` of an instant in Asia/Shanghai, for messages that say when something resumes. */
export const shanghaiMinute = (ms: number): string => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(5, 16).replace("T", " ");

/** The instant a Shanghai day starts, as the ISO UTC string our timestamps are stored in (so strings compare). */
export const shanghaiDayStart = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS).toISOString();
