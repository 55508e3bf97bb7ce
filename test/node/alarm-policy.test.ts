import { describe, expect, it } from "vitest";
import { alarmTime, backoffMs, CHAIN_GAP_MS, FORECAST_EVERY_MS, MAX_CRASHES, MAX_PAGES_PER_ALARM, planCrash, planNext, type NextInput } from "../../src/engine/alarm-policy";

// The task object's alarm loop decides with these (src/durable/task-loop.ts); here without a runtime.
const NOW = 1_800_000_000_000;
const step = (over: Partial<NextInput> = {}): NextInput => ({
  now: NOW,
  delayMs: 1_000,
  stepReason: null,
  queuePosition: null,
  shownReason: null,
  shownQueuePosition: null,
  answered: true,
  unchanged: false,
  mayChain: true,
  pagesParsed: 0,
  forecastKey: "0|1|0",
  forecastMadeFor: "0|1|0",
  forecastAt: NOW - 60_000,
  ...over,
});

describe("chaining light steps inside one alarm", () => {
  it("a pacing gap after a step that changed the state is checkpointed and followed in the same alarm", () => {
    expect(planNext(step()).action).toEqual({ kind: "checkpoint", dueAt: null });
    expect(planNext(step({ delayMs: CHAIN_GAP_MS })).action).toEqual({ kind: "checkpoint", dueAt: null });
  });

  it("a pure wait (nothing changed) is chained without a checkpoint row", () => {
    expect(planNext(step({ unchanged: true })).action).toEqual({ kind: "chain" });
  });

  it("a longer gap ends the alarm: one alarm at its end", () => {
    const due = NOW + CHAIN_GAP_MS + 1;
    expect(planNext(step({ delayMs: CHAIN_GAP_MS + 1 })).action).toEqual({ kind: "checkpoint", dueAt: due });
    expect(planNext(step({ delayMs: CHAIN_GAP_MS + 1, unchanged: true })).action).toEqual({ kind: "alarm", dueAt: due });
  });

  it("after the alarm's share of parsed pages, or its share of steps, the next step gets an alarm of its own", () => {
    expect(planNext(step({ pagesParsed: MAX_PAGES_PER_ALARM - 1 })).action).toEqual({ kind: "checkpoint", dueAt: null });
    expect(planNext(step({ pagesParsed: MAX_PAGES_PER_ALARM })).action).toEqual({ kind: "checkpoint", dueAt: NOW + 1_000 });
    expect(planNext(step({ mayChain: false, unchanged: true })).action).toEqual({ kind: "alarm", dueAt: NOW + 1_000 });
  });

  it("a wait with a reason is never chained, however short: the task shows it and when it ends", () => {
    for (const stepReason of ["upstream", "break"] as const) {
      for (const delayMs of [0, 500, CHAIN_GAP_MS]) {
        const plan = planNext(step({ stepReason, delayMs }));
        expect(plan.reason).toBe(stepReason);
        expect(plan.resumesAt).toBe(NOW + delayMs);
        expect(plan.action).toEqual({ kind: "checkpoint", dueAt: NOW + delayMs });
      }
    }
  });

  it("an alarm is due at a whole millisecond, never before its wait ends (the runtime cuts a fraction off)", () => {
    // A break begun at a fraction of a millisecond ends at one: armed at its end cut down, it would ring while still on.
    const plan = planNext(step({ now: NOW + 0.5, stepReason: "break", delayMs: 600_000 }));
    expect(plan.action).toEqual({ kind: "checkpoint", dueAt: NOW + 600_001 });
    expect(plan.resumesAt).toBe(NOW + 600_001);
    expect(planNext(step({ now: NOW + 0.25, delayMs: CHAIN_GAP_MS + 0.5, unchanged: true })).action).toEqual({ kind: "alarm", dueAt: NOW + CHAIN_GAP_MS + 1 });
    expect(alarmTime(NOW)).toBe(NOW);
  });
});

describe("what the task shows while it waits", () => {
  it("a wait ending clears the reason and its resume time, with a checkpoint even if nothing else changed", () => {
    const plan = planNext(step({ shownReason: "break", unchanged: true }));
    expect(plan.reason).toBeNull();
    expect(plan.resumesAt).toBeNull();
    expect(plan.action).toEqual({ kind: "checkpoint", dueAt: null });
  });

  it("the video lock's queue has a place and no resume time; a new place is worth a checkpoint", () => {
    const queued = planNext(step({ stepReason: "waiting_for_account", queuePosition: 2, delayMs: 30_000 }));
    expect(queued).toMatchObject({ reason: "waiting_for_account", queuePosition: 2, resumesAt: null });
    const same = planNext(step({ stepReason: "waiting_for_account", queuePosition: 2, shownReason: "waiting_for_account", shownQueuePosition: 2, unchanged: true, delayMs: 30_000 }));
    expect(same.action).toEqual({ kind: "alarm", dueAt: NOW + 30_000 });
    const moved = planNext(step({ stepReason: "waiting_for_account", queuePosition: 1, shownReason: "waiting_for_account", shownQueuePosition: 2, unchanged: true, delayMs: 30_000 }));
    expect(moved.action).toEqual({ kind: "checkpoint", dueAt: NOW + 30_000 });
  });

  it("checking whether risk control lifted lasts until Chaoxing answered a call", () => {
    expect(planNext(step({ shownReason: "risk_check", answered: false })).reason).toBe("risk_check");
    expect(planNext(step({ shownReason: "risk_check", answered: true })).reason).toBeNull();
  });

  it("the daily cap is announced when it begins, not at every step while it lasts", () => {
    const begins = planNext(step({ stepReason: "daily_cap", delayMs: 3_600_000 }));
    expect(begins.action).toEqual({ kind: "announce", dueAt: NOW + 3_600_000 });
    const lasts = planNext(step({ stepReason: "daily_cap", shownReason: "daily_cap", delayMs: 3_600_000 }));
    expect(lasts.action).toEqual({ kind: "checkpoint", dueAt: NOW + 3_600_000 });
  });
});

describe("the forecast is made again", () => {
  it("when a wait begins or ends, when the work behind changes, and at least every ten minutes", () => {
    expect(planNext(step()).refreshForecast).toBe(false);
    expect(planNext(step({ stepReason: "break", delayMs: 600_000 })).refreshForecast).toBe(true);
    expect(planNext(step({ shownReason: "break" })).refreshForecast).toBe(true);
    expect(planNext(step({ forecastKey: "0|2|0" })).refreshForecast).toBe(true);
    expect(planNext(step({ forecastAt: NOW - FORECAST_EVERY_MS })).refreshForecast).toBe(true);
    expect(planNext(step({ forecastAt: null, forecastMadeFor: null })).refreshForecast).toBe(true);
  });
});

describe("a step that crashes", () => {
  it("is retried with growing waits, then the task fails", () => {
    const waits: number[] = [];
    for (let crashes = 1; crashes <= MAX_CRASHES; crashes++) {
      const plan = planCrash(crashes, 0.5);
      if (plan.kind !== "retry") throw new Error(`crash ${crashes} not retried`);
      waits.push(plan.delayMs);
    }
    expect(waits).toEqual([3_750, 7_500, 15_000, 30_000, 60_000]);
    expect(planCrash(MAX_CRASHES + 1, 0.5)).toEqual({ kind: "fail" });
  });

  it("back-off is jittered between half and all of its base, and never past ten minutes", () => {
    expect(backoffMs(1, 0)).toBe(2_500);
    expect(backoffMs(1, 0.999_999)).toBe(5_000);
    expect(backoffMs(30, 0.999_999)).toBe(600_000);
  });
});
