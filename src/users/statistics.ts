import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { TASK_STATUSES, type TaskStatus } from "../shared/live";

/** A user's (or everyone's) tasks by status, study time and jobs done: the API's `UserStatistics`. */
export interface Statistics {
  tasks: Record<TaskStatus, number> & { total: number };
  study_seconds: number;
  jobs_completed: number;
}

/** Tasks grouped by status with their study time and jobs done: of every user, or of one. */
export function taskTotalsQuery(db: Db, userId?: number) {
  return db
    .select({ status: tasks.status, n: sql<number>`count(*)`, study: sql<number>`coalesce(sum(${tasks.study_seconds}),0)`, jobs: sql<number>`coalesce(sum(${tasks.jobs_completed}),0)` })
    .from(tasks)
    .where(userId === undefined ? undefined : eq(tasks.user_id, userId))
    .groupBy(tasks.status);
}

/** Folds `taskTotalsQuery` rows into counts for every status (zeros included) and the sums. */
export function foldTaskTotals(rows: { status: TaskStatus; n: number; study: number; jobs: number }[]) {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  let total = 0;
  let studySeconds = 0;
  let jobs = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    total += r.n;
    studySeconds += r.study;
    jobs += r.jobs;
  }
  return { byStatus, total, studySeconds, jobs };
}

/** Tasks by status, study time and jobs completed, from the tasks table. */
export async function userStatistics(db: Db, userId: number): Promise<Statistics> {
  return statisticsOf(await taskTotalsQuery(db, userId));
}

export function statisticsOf(rows: Parameters<typeof foldTaskTotals>[0]): Statistics {
  const t = foldTaskTotals(rows);
  return { tasks: { total: t.total, ...t.byStatus }, study_seconds: t.studySeconds, jobs_completed: t.jobs };
}

