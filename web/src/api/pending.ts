/**
 * Routes the dashboard uses that the server's OpenAPI document does not list yet (issue 7: "write the
 * page against these shapes"). Shaped like openapi-typescript's output so call sites are the final
 * typed ones; `client.ts` lets the generated `paths` win for every path that exists, so an entry here
 * is dead as soon as `npm run api:gen` brings its route in — delete it then.
 */
import type { LeftForUser, TaskLive, TaskStatus } from "@shared/live";
import type { components } from "./schema";

type ErrorBody = components["schemas"]["Error"];
type User = components["schemas"]["User"];
type Json<T> = { headers: { [name: string]: unknown }; content: { "application/json": T } };
type Params<Q, P> = [P] extends [never]
  ? { query?: Q; header?: never; path?: never; cookie?: never }
  : { query?: Q; header?: never; path: P; cookie?: never };
interface Spec {
  query?: unknown;
  path?: unknown;
  body?: unknown;
  optionalBody?: true;
  res: unknown;
  created?: true;
}
type Op<S extends Spec> = {
  parameters: Params<S extends { query: infer Q } ? Q : never, S extends { path: infer P } ? P : never>;
  responses: (S extends { created: true } ? { 201: Json<S["res"]> } : { 200: Json<S["res"]> }) & {
    400: Json<ErrorBody>;
    401: Json<ErrorBody>;
    404: Json<ErrorBody>;
    409: Json<ErrorBody>;
  };
} & (S extends { body: infer B }
  ? S extends { optionalBody: true }
    ? { requestBody?: { content: { "application/json": B } } }
    : { requestBody: { content: { "application/json": B } } }
  : { requestBody?: never });

type Id = { id: number };
type PageQ = { page?: number; page_size?: number };
type Page<T> = { items: T[]; total: number; page: number; page_size: number; total_pages: number };
type Message = { message: string; detail?: string };

export type PendingTask = TaskLive & { id: number; user_id: number; name: string; course_ids: string[]; created_at: string; left_for_user: LeftForUser[] };
type TaskAction = Op<{ path: Id; res: { message: string; task: PendingTask } }>;

export interface PendingPaths {
  "/api/admin/users": {
    get: Op<{ query: PageQ & { search?: string; role?: "user" | "admin"; is_active?: boolean }; res: Page<User & { task_count: number; running_tasks: number }> }>;
  };
  "/api/admin/users/{id}": {
    get: Op<{
      path: Id;
      res: {
        user: User;
        config: { cx_username: string | null; speed: number; notopen_action: "retry" | "ask" | "continue" } | null;
        statistics: components["schemas"]["UserStatistics"];
        recent_tasks: PendingTask[];
      };
    }>;
    put: Op<{ path: Id; body: { role?: "user" | "admin"; is_active?: boolean; email?: string }; res: User }>;
    delete: Op<{ path: Id; res: Message }>;
  };
  "/api/admin/tasks": { get: Op<{ query: PageQ & { status?: TaskStatus; user_id?: number }; res: Page<PendingTask & { username: string }> }> };
  "/api/admin/tasks/{id}/force-stop": { post: TaskAction };
  "/api/admin/statistics": {
    get: Op<{
      res: {
        totalUsers: number;
        activeUsers: number;
        totalTasks: number;
        runningTasks: number;
        completedTasks: number;
        failedTasks: number;
        todayCompleted: number;
        todayFailed: number;
        successRate: number;
        warnings: string[];
        studyHoursByDay?: { date: string; hours: number }[];
        upstreamFailures?: number;
        newestUsers?: User[];
      };
    }>;
  };
  "/api/admin/audit": {
    get: Op<{
      query: PageQ;
      res: Page<{ id: number; actor_id: number | null; actor: string | null; action: string; target: string | null; detail: string | null; created_at: string }>;
    }>;
  };
}
