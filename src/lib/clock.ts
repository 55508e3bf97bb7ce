/**
 * The one clock that the engine, the account pacing and the simulator all read.
 * Production reads the wall clock; tests shift it forward (never sleep) and then run the alarms
 * that fell due. Module state is shared by everything in one isolate (worker, its DOs, tests).
 */
let offsetMs = 0;

export const clock = {
  now(): number {
    return Date.now() + offsetMs;
  },
  /** Test hook: move the shared clock forward by `ms`. */
  advance(ms: number): void {
    offsetMs += ms;
  },
  /** Test hook: set the offset from the wall clock. */
  setOffset(ms: number): void {
    offsetMs = ms;
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
