import { describe, expect, it } from "vitest";
import type { SimCourseSpec } from "../../simulator/src/model";
import { measureAccuracy, productionLimits } from "../helpers/accuracy";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

const off = (a: Awaited<ReturnType<typeof measureAccuracy>>) =>
  `forecast ${new Date(a.preview).toISOString()}, at start ${new Date(a.atStart).toISOString()}, actual ${new Date(a.actual).toISOString()}, allowed ±${Math.round(a.allowed / 60_000)} min`;

/**
 * The forecast made at start against the real finish, run by the real engine on the simulator and the
 * injected clock: eight 25-minute lectures (200 minutes, so two breaks in a day, or four days at an hour a
 * day). The whole demo course set (≈ 17 h of video) is measured by `npm run bench -- --only forecast`
 * (bench/workerd/forecast.bench.test.ts), too long for a suite that must pass on a loaded 2-core machine;
 * these take a few seconds each. A break here may begin at a fraction of a millisecond (the injected clock
 * waits fractional gaps): its alarm is armed at a whole millisecond, never before the break ends
 * (src/engine/alarm-policy.ts `alarmTime`; test/limits/breaks.test.ts).
 */
const lectures: SimCourseSpec = {
  name: "概率论与数理统计",
  teacher: "周老师",
  chapters: Array.from({ length: 8 }, (_, i) => ({
    unit: "第一章 随机事件与概率",
    title: `1.${i + 1} 第${i + 1}讲`,
    tabs: [[{ type: "video" as const, name: `1.${i + 1} 第${i + 1}讲.mp4`, duration: 25 * 60 }]],
  })),
};
describe("the forecast at start is within 5 % (or 30 minutes) of the real finish", () => {
  it("under the default limits (08:00–23:00, 360 minutes a day, breaks, 30–60 s between videos)", async () => {
    const a = await measureAccuracy([lectures], productionLimits());
    expect(Math.abs(a.preview - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(Math.abs(a.atStart - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(a.studyDays).toBe(1);
  });

  it("under a tight limit: one hour a day", async () => {
    const a = await measureAccuracy([lectures], { ...productionLimits(), dailyCapMinutes: 60 });
    expect(Math.abs(a.preview - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(Math.abs(a.atStart - a.actual), off(a)).toBeLessThanOrEqual(a.allowed);
    expect(a.studyDays).toBe(4);
  });
});
