import { ApiError } from "../lib/errors";
import type { TaskLive } from "./shape";

/** Why the task object refused a request: a subset of the API's error codes, so one table gives the status. */
export type TaskFailureCode = "not_found" | "conflict" | "running_cap" | "choice_required" | "captcha_wrong" | "upstream_failed";

export type TaskResult<T = TaskLive> = { ok: true; value: T } | { ok: false; code: TaskFailureCode; detail: string };

export const refused = (code: TaskFailureCode, detail: string): { ok: false; code: TaskFailureCode; detail: string } => ({ ok: false, code, detail });

/** The object's answer as the route's: the value, or the ApiError its code stands for. */
export function settle<T>(r: TaskResult<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.code, r.detail);
}
