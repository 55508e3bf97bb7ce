import { describe, expect, it } from "vitest";
import { emptyUsage, type StudyLimits } from "../../src/limits/study-limits";
import { shanghaiDay } from "../../shared/clock";
import { courseWork, forecast, shanghaiParts, studyOrder, type ForecastInput, type OutlineChapter, type TaskWork } from "../../src/shared/forecast";

/** An instant given as Shanghai wall time, "2027-01-04 10:00" (seconds optional). */
const at = (s: string): number => Date.parse(`${s.replace(" ", "T")}${s.length === 16 ? ":00" : ""}+08:00`);
const MIN = 60_000;
const HOUR = 60 * MIN;
/** Each video costs a few seconds around it (status, the end report, the confirmation): within a minute. */
const SLACK = MIN;

const limits = (l: Partial<StudyLimits> = {}): StudyLimits => ({
  windowStart: "00:00", windowEnd: "24:00", dailyCapMinutes: 1440, videoGapSeconds: 0, videoGapJitterSeconds: 0, breakAfterMinutes: 1440, ...l,
});
const rules = { breakMinMinutes: 10, breakMaxMinutes: 20 };
const videos = (...minutes: number[]) => minutes.map((m) => ({ kind: "media" as const, seconds: m * 60, speed: 1 }));
const oneCourse = (...minutes: number[]): TaskWork => ({ courses: [{ key: "c", deadline: null, items: videos(...minutes) }] });
const input = (task: TaskWork, l: Partial<StudyLimits>, now: number, extra: Partial<ForecastInput> = {}): ForecastInput => ({
  now, limits: limits(l), rules, usage: null, task, ...extra,
});
const near = (actual: number | null, expected: number, slack = SLACK) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected), `${new Date(actual!).toISOString()} vs ${new Date(expected).toISOString()}`).toBeLessThanOrEqual(slack);
};

describe("the forecast: when a task finishes under the account's limits", () => {
  it("nothing left: now, no study day", () => {
    const f = forecast(input({ courses: [{ key: "c", deadline: null, items: [] }] }, {}, at("2027-01-04 10:00")));
    expect(f).toMatchObject({ finishAt: at("2027-01-04 10:00"), studyDays: 0, remainingSeconds: 0, missesDeadline: false });
  });

  it("a window that wraps midnight: it waits for the window, plays past midnight, and counts one study day per window", () => {
    const night = { windowStart: "22:00", windowEnd: "02:00" };
    // Opens at 22:00 (plus the mean of the resume jitter, 2.5 minutes), 3 h to play: done after 01:00.
    const short = forecast(input(oneCourse(180), night, at("2027-01-04 21:00")));
    near(short.finishAt, at("2027-01-05 01:02:30"));
    expect(short.studyDays).toBe(1);
    // 5 h: 3 h 57.5 min in the first window, the rest the next night.
    const long = forecast(input(oneCourse(300), night, at("2027-01-04 21:00")));
    near(long.finishAt, at("2027-01-05 23:05"));
    expect(long.studyDays).toBe(2);
    // The cap is per Shanghai day and resets at midnight inside the window: 60 min before midnight, 60
    // after it; the next night's window opens on a day whose cap is spent, so it waits for midnight. Each
    // day plays half a report interval past its cap (the report that crosses it is sent): 60.5 min.
    const capped = forecast(input(oneCourse(300), { ...night, dailyCapMinutes: 60 }, at("2027-01-04 21:00")));
    near(capped.finishAt, at("2027-01-08 01:00:30"));
    expect(capped.studyDays).toBe(4);
  });

  it("the cap across days, counting what was already played today", () => {
    const f = forecast(input(oneCourse(75, 75), { dailyCapMinutes: 60 }, at("2027-01-04 10:00")));
    // 60.5 min today, 60.5 tomorrow from midnight (plus the resume jitter), 29 the day after.
    near(f.finishAt, at("2027-01-06 00:31:30"));
    expect(f.studyDays).toBe(3);
    const used = { ...emptyUsage(shanghaiDay(at("2027-01-04 10:00"))), seconds: 45 * 60 };
    const g = forecast(input(oneCourse(75, 75), { dailyCapMinutes: 60 }, at("2027-01-04 10:00"), { usage: used }));
    near(g.finishAt, at("2027-01-07 00:16"));
    expect(g.studyDays).toBe(4);
    // The 1-minute cap of the report that started this: ten hours of video take 600 study days (a cap of
    // a report or two ends with the day's first reports: nothing past it on average).
    const tiny = forecast(input(oneCourse(600), { dailyCapMinutes: 1 }, at("2027-01-04 10:00")));
    expect(tiny.studyDays).toBe(600);
    expect(shanghaiDay(tiny.finishAt!)).toBe(shanghaiDay(at("2027-01-04 10:00") + 599 * 24 * HOUR));
  });

  it("breaks: the mean break after every stretch, and a stretch already under way counts", () => {
    const l = { breakAfterMinutes: 90 };
    const f = forecast(input(oneCourse(200), l, at("2027-01-04 10:00")));
    // 90 min, a 15-minute break (10–20), 90 min, a break, the last 20 min.
    near(f.finishAt, at("2027-01-04 13:50"));
    const now = at("2027-01-04 10:00");
    near(forecast(input(oneCourse(80), l, now)).finishAt, at("2027-01-04 11:20"));
    // 60 minutes of the stretch already played: the break comes after 30 more.
    const streak = { ...emptyUsage(shanghaiDay(now)), streakMs: 60 * MIN, lastMediaAt: now - MIN };
    near(forecast(input(oneCourse(80), l, now, { usage: streak })).finishAt, at("2027-01-04 11:35"));
    // A break under way: nothing plays until it ends.
    const onBreak = { ...emptyUsage(shanghaiDay(now)), breakUntil: now + 12 * MIN };
    near(forecast(input(oneCourse(30), l, now, { usage: onBreak })).finishAt, at("2027-01-04 10:42"));
  });

  it("the gap between videos (its mean), and documents and reads paced like calls, which the gap overlaps", () => {
    const gap = { videoGapSeconds: 30, videoGapJitterSeconds: 30 };
    const now = at("2027-01-04 10:00");
    near(forecast(input(oneCourse(10, 10), gap, now)).finishAt, at("2027-01-04 10:20:45"));
    const work: TaskWork = { courses: [{ key: "c", deadline: null, items: [...videos(10), { kind: "calls", n: 120 }, ...videos(10)] }] };
    // 120 calls, half a second apart at least: a minute, longer than the gap.
    const f = forecast(input(work, gap, now));
    near(f.finishAt, at("2027-01-04 10:21"));
    expect(f.remainingSeconds).toBeGreaterThanOrEqual(20 * 60 + 60);
  });

  it("two tasks on one account share its video lock and its daily cap", () => {
    const now = at("2027-01-04 10:00");
    const a = oneCourse(30, 30);
    const b = oneCourse(30, 30);
    const alone = forecast(input(a, { dailyCapMinutes: 60 }, now));
    near(alone.finishAt, at("2027-01-04 11:00"));
    expect(alone.studyDays).toBe(1);
    // Holding the lock: A1 then B1 fill today's hour; A2 tomorrow, from midnight.
    const first = forecast(input(a, { dailyCapMinutes: 60 }, now, { others: [b], holdsLock: true }));
    near(first.finishAt, at("2027-01-05 00:32:30"));
    expect(first.studyDays).toBe(2);
    // Queued behind B: B1, A1 today, B2 then A2 tomorrow.
    const queued = forecast(input(a, { dailyCapMinutes: 60 }, now, { others: [b] }));
    near(queued.finishAt, at("2027-01-05 01:02:30"));
  });

  it("a course that forbids fast playback plays at 1×; on the 2026 platform no speed saves real time", () => {
    // Eight minutes: short enough to play at 2× (below).
    const chapter = (id: string, fast: boolean): OutlineChapter => ({ id, media: [{ seconds: 480, fast }], calls: 0 });
    const task = (speed: number): TaskWork => ({
      courses: [courseWork("fast", [chapter("f1", true)], { chosen: null, speed, deadline: null }), courseWork("slow", [chapter("s1", false)], { chosen: null, speed, deadline: null })],
    });
    const now = at("2027-01-04 10:00");
    const credited = forecast(input(task(2), {}, now, { fastCredited: true }));
    expect(credited.courses.map((c) => [c.key, Math.round(c.remainingSeconds / 60)])).toEqual([["fast", 4], ["slow", 8]]);
    near(credited.finishAt, at("2027-01-04 10:12"));
    // The platform judges real time (chaoxing-protocol.md "Speed and real time (2026)"): 2× plays the
    // same eight minutes of real time, whatever the course allows.
    const realTime = forecast(input(task(2), {}, now));
    expect(realTime.courses.map((c) => Math.round(c.remainingSeconds / 60))).toEqual([8, 8]);
    near(realTime.finishAt, at("2027-01-04 10:16"));
  });

  it("at 2× a video too far ahead of real time at its end (more than three end reports cover) plays, and is forecast, at 1× from its start", () => {
    const now = at("2027-01-04 10:00");
    const one = (seconds: number, speed: number) => courseWork("c", [{ id: "1", media: [{ seconds, fast: true }], calls: 0 }], { chosen: null, speed, deadline: null });
    // A report every 60 s: three end reports cover 3 × 90 s = 270 s of lead. 540 s at 2× ends 270 s ahead: 2×;
    // 542 s, 271 s ahead: 1× (src/shared/pacing.ts `playSpeed`, what the engine plays it at).
    expect(one(540, 2).items).toEqual([{ kind: "media", seconds: 540, speed: 2 }]);
    expect(one(542, 2).items).toEqual([{ kind: "media", seconds: 542, speed: 1 }]);
    expect(one(1800, 1.5).items).toEqual([{ kind: "media", seconds: 1800, speed: 1 }]);
    // Where fast playback is credited, the hour-long video still takes its hour: it is played at 1×.
    const credited = forecast(input({ courses: [one(3600, 2)] }, {}, now, { fastCredited: true }));
    near(credited.finishAt, at("2027-01-04 11:00"));
    // On the 2026 platform a short video at 2× counts its media against the daily cap twice as fast, then sits
    // at its end until its real time is covered. Four 8-minute videos under a 30-minute cap (30.5 with the
    // report that crosses it): the fourth reaches the cap 3¼ min in (at 1×: 6½ min in), plays its last 45 s
    // after midnight (the window's resume jitter, 2½ min, first) and sits at its end for 4 min.
    const eight = (speed: number): TaskWork => ({ courses: [courseWork("c", [1, 2, 3, 4].map((n) => ({ id: String(n), media: [{ seconds: 480, fast: true }], calls: 0 })), { chosen: null, speed, deadline: null })] });
    near(forecast(input(eight(2), { dailyCapMinutes: 30 }, now)).finishAt, at("2027-01-05 00:07:15"));
    near(forecast(input(eight(1), { dailyCapMinutes: 30 }, now)).finishAt, at("2027-01-05 00:04:00"));
    // The hour-long video at 2× is forecast as at 1×, cap and all.
    const hour = (speed: number) => forecast(input({ courses: [one(3600, speed)] }, { dailyCapMinutes: 30 }, now)).finishAt;
    expect(hour(2)).toBe(hour(1));
  });

  it("chapters chosen: only those count", () => {
    const outline: OutlineChapter[] = [
      { id: "1", media: [{ seconds: 20 * 60, fast: true }], calls: 2 },
      { id: "2", media: [{ seconds: 30 * 60, fast: true }], calls: 2 },
      { id: "3", media: [{ seconds: 40 * 60, fast: true }], calls: 2 },
    ];
    const now = at("2027-01-04 10:00");
    const all = forecast(input({ courses: [courseWork("c", outline, { chosen: null, speed: 1, deadline: null })] }, {}, now));
    const some = forecast(input({ courses: [courseWork("c", outline, { chosen: ["1", "3"], speed: 1, deadline: null })] }, {}, now));
    expect(Math.round(all.remainingSeconds / 60)).toBe(90);
    expect(Math.round(some.remainingSeconds / 60)).toBe(60);
    near(some.finishAt, at("2027-01-04 11:00"));
    expect(all.finishAt! - some.finishAt!).toBeGreaterThanOrEqual(29 * MIN);
  });

  it("a deadline missed is said, per course and for the task; the nearest deadline is studied first", () => {
    const now = at("2027-01-04 10:00");
    const c = (key: string, deadline: number | null, minutes: number) => ({ key, deadline, items: videos(minutes) });
    const order = studyOrder([c("none", null, 10), c("late", at("2027-01-20 23:59"), 10), c("soon", at("2027-01-04 10:30"), 60)]);
    expect(order.map((x) => x.key)).toEqual(["soon", "late", "none"]);
    const f = forecast(input({ courses: order }, {}, now));
    expect(f.courses.map((x) => [x.key, x.missesDeadline])).toEqual([["soon", true], ["late", false], ["none", false]]);
    expect(f.missesDeadline).toBe(true);
    near(f.courses[0]!.finishAt, at("2027-01-04 11:00"));
    expect(forecast(input({ courses: [c("ok", at("2027-01-04 12:00"), 60)] }, {}, now)).missesDeadline).toBe(false);
  });

  it("Shanghai wall time, whatever the reader's zone", () => {
    expect(shanghaiParts(at("2027-12-19 08:05"))).toEqual({ year: 2027, month: 12, day: 19, hour: 8, minute: 5 });
  });
});
