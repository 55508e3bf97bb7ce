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
