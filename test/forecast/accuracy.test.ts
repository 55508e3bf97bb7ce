import { describe, expect, it } from "vitest";
import { DEMO_COURSES } from "../../src/simulator/seed";
import { measureAccuracy, productionLimits } from "../helpers/accuracy";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

const off = (a: Awaited<ReturnType<typeof measureAccuracy>>) =>
  `forecast ${new Date(a.preview).toISOString()}, at start ${new Date(a.atStart).toISOString()}, actual ${new Date(a.actual).toISOString()}, allowed ±${Math.round(a.allowed / 60_000)} min`;

/**
 * The forecast made at start against the real finish, for the demo courses run by the real engine on the
 * simulator and the injected clock (the whole demo course set: ≈ 17 h of video). `npm run bench -- --only
 * forecast` prints the same figures (bench/workerd/forecast.bench.test.ts).
 */
describe("the forecast at start is within 5 % (or 30 minutes) of the real finish", () => {
  it("under the default limits (08:00–23:00, 360 minutes a day, breaks, 30–60 s between videos)", async () => {
    const a = await measureAccuracy(DEMO_COURSES, productionLimits());
    expect(Math.abs(a.preview - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(Math.abs(a.atStart - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(a.studyDays).toBe(3);
  }, 900_000);

  it("under a tight limit: one hour a day", async () => {
    const a = await measureAccuracy(DEMO_COURSES, { ...productionLimits(), dailyCapMinutes: 60 });
    expect(Math.abs(a.preview - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(Math.abs(a.atStart - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(a.studyDays).toBe(17);
  }, 900_000);
});
