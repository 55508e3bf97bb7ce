// The forecast made at start against the real finish (bench/run.mjs `--only forecast` collects the BENCH
// lines): the demo courses run by the real engine on the simulator and the injected clock, under the
// deployment's default limits and under one hour a day. test/forecast/accuracy.test.ts asserts the same.
import { it } from "vitest";
import { DEMO_COURSES } from "../../simulator/src/seed";
import { measureAccuracy, productionLimits } from "../../test/helpers/accuracy";
import { useFutureClock } from "../../test/helpers/sim";

useFutureClock();

const emit = (name: string, value: number, extra: Record<string, number | string> = {}) =>
  console.log(`BENCH ${JSON.stringify({ name, value, ...extra })}`);

for (const [label, cap] of [["default", null], ["hour", 60]] as const) {
  it(`forecast at start vs the real finish: demo courses, ${label}`, async () => {
    const limits = { ...productionLimits(), ...(cap ? { dailyCapMinutes: cap } : {}) };
    const wall = performance.now();
    const a = await measureAccuracy(DEMO_COURSES, limits);
    const min = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
    emit(`forecast.error_min.${label}`, min(Math.abs(a.atStart - a.actual)), {
      baseline: min(a.allowed),
      preview_error_min: min(a.preview - a.actual),
      at_start_error_min: min(a.atStart - a.actual),
      took_h: Math.round(((a.actual - a.startedAt) / 3_600_000) * 100) / 100,
      study_days: a.studyDays,
      window: `${limits.windowStart}-${limits.windowEnd}`,
      cap_min: limits.dailyCapMinutes,
      drive_ms: Math.round(performance.now() - wall),
    });
  }, 900_000);
}
