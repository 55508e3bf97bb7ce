import { env } from "cloudflare:workers";
import { config } from "../../src/config";
import { defaultLimits } from "../../src/limits/account-limits";
import type { StudyLimits } from "../../src/limits/study-limits";
import { minuteOf } from "../../src/limits/study-limits";
import { clock, SHANGHAI_OFFSET_MS } from "../../shared/clock";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "./api";
import { driveUntil, finished, userWithAccount } from "./drive";
import { installSimulator } from "./sim";

const DAY = 24 * 3600_000;

/** The deployment's default limits (src/config.ts = wrangler.toml [vars]); the suite's own bindings are neutral. */
export const productionLimits = (): StudyLimits =>
  defaultLimits(config(Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("LIMIT_"))) as unknown as Env));

export interface Accuracy {
  startedAt: number;
  /** The create dialog's forecast (POST /api/tasks/forecast) just before the start, and the task's own right after it. */
  preview: number;
  atStart: number;
  actual: number;
  studyDays: number;
  /** |forecast − actual| allowed: 5 % of the time taken, or 30 minutes, whichever is larger. */
  allowed: number;
}

/**
 * The forecast made at start against the real finish: every listed course of `courses` in one task, run
 * by the real engine on the simulator under `limits` from the window's opening, on the injected clock.
 */
export async function measureAccuracy(courses: SimCourseSpec[], limits: StudyLimits, maxTicks = 60_000): Promise<Accuracy> {
  // From the window's opening (Asia/Shanghai), as a student starting in the morning.
  const since = (((clock.now() + SHANGHAI_OFFSET_MS) % DAY) + DAY) % DAY;
  clock.advance((minuteOf(limits.windowStart) * 60_000 - since + DAY) % DAY);
  const sim = installSimulator();
  const { token } = await registerUser("acc");
  await userWithAccount(sim, token, courses);
  const set = await api("PUT", "/api/user/limits", { token, body: {
    window_start: limits.windowStart, window_end: limits.windowEnd, daily_cap_minutes: limits.dailyCapMinutes,
    video_gap_seconds: limits.videoGapSeconds, video_gap_jitter_seconds: limits.videoGapJitterSeconds, break_after_minutes: limits.breakAfterMinutes,
  } });
  if (set.status !== 200) throw new Error(`limits: ${set.status} ${JSON.stringify(set.body)}`);
  const ids = ((await api("GET", "/api/courses/list", { token })).body as { courseId: string }[]).map((c) => c.courseId);
  const preview = await api("POST", "/api/tasks/forecast", { token, body: { course_ids: ids, speed: 1 } });
  if (preview.status !== 200) throw new Error(`forecast: ${preview.status} ${JSON.stringify(preview.body)}`);
  const created = await api("POST", "/api/tasks", { token, body: { name: "accuracy", course_ids: ids, speed: 1 } });
  const startedAt = clock.now();
  const started = await api("POST", `/api/tasks/${created.body.id}/start`, { token });
  if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  const atStart = started.body.task.forecast?.finish_at as string;
  const done = await driveUntil(created.body.id, finished, maxTicks);
  if (done.status !== "completed") throw new Error(`not completed: ${JSON.stringify(done)}`);
  const actual = Date.parse(done.end_time!);
  return {
    startedAt, preview: Date.parse(preview.body.finish_at), atStart: Date.parse(atStart), actual, studyDays: preview.body.study_days,
    allowed: Math.max(0.05 * (actual - startedAt), 30 * 60_000),
  };
}
