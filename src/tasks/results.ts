import { ApiError } from "../lib/errors";
import type { TaskStatus } from "../shared/live";
import type { TaskLive } from "./shape";

/** Why the task object refused a request: a subset of the API's error codes, so one table gives the status. */
export type TaskFailureCode = "not_found" | "conflict" | "task_state" | "running_cap" | "choice_required" | "captcha_wrong" | "upstream_failed";

type Refusal = { ok: false; code: TaskFailureCode; detail: string; status?: TaskStatus };
export type TaskResult<T = TaskLive> = { ok: true; value: T } | Refusal;

export const refused = (code: TaskFailureCode, detail: string): Refusal => ({ ok: false, code, detail });
/** The task's state does not allow it: `task_state`, with the status it is in. */
export const wrongState = (status: TaskStatus, detail: string): Refusal => ({ ok: false, code: "task_state", detail, status });

const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: "等待中", running: "运行中", paused: "已暂停", completed: "已完成", failed: "已失败", cancelled: "已取消",
};
/** A transition the task's status does not allow: `task_state`, saying which status and what was asked. */
export const conflict = (status: TaskStatus, action: string): Refusal => wrongState(status, `任务当前状态为 ${status}（${STATUS_LABEL[status]}），不能${action}`);

/** The object's answer as the route's: the value, or the ApiError its code stands for. */
export function settle<T>(r: TaskResult<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.code, r.detail, r.status ? { status: r.status } : {});
}
