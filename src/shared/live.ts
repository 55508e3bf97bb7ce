/**
 * The live-progress messages of `WS /ws/connect` and `WS /api/tasks/{id}/ws`: one discriminated union,
 * imported by the worker, the durable objects and the dashboard (seed-api.md "WebSocket",
 * seed-wire-shapes.md). Pure types and tiny helpers only: this file must stay free of runtime imports.
 */
export type TaskStatus = "pending" | "running" | "paused" | "completed" | "failed" | "cancelled";

export interface LeftForUser {
  course: string;
  chapter: string;
  item: string;
  kind: string;
  reason: string;
  /** Opens that chapter (or the course) in 学习通; null when there is nothing to open (a course not in the list). */
  url: string | null;
}

/** The live fields of a task, as `task_update.data` and in `GET /api/tasks/{id}`. */
export interface TaskLive {
  status: TaskStatus;
  reason: string | null;
  progress: number;
  current_item: string | null;
  item_progress: number;
  item_current_time: number;
  item_total_time: number;
  completed_courses: number;
  total_courses: number;
  eta_seconds: number | null;
  queue_position: number | null;
  speed: number | null;
  notopen_action: "retry" | "ask" | "continue" | null;
  error_msg: string | null;
  start_time: string | null;
  end_time: string | null;
  /** Set while paused with reason `notopen_ask`: the chapter that is not open. */
  notopen_chapter: string | null;
  left_for_user: LeftForUser[];
}

export interface TaskLogLine {
  id: number;
  level: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  message: string;
  created_at: string;
}

export type ClientMessage =
  | { type: "subscribe_task"; task_id: number }
  | { type: "unsubscribe_task"; task_id: number }
  | { type: "ping" };

export type ServerMessage =
  | { type: "connected"; user_id: number; username: string }
  | { type: "subscribed"; task_id: number }
  | { type: "unsubscribed"; task_id: number }
  | { type: "pong" }
  | { type: "task_update"; task_id: number; data: TaskLive }
  | { type: "task_log"; task_id: number; log: TaskLogLine }
  | { type: "notification"; level: "info" | "success" | "warning" | "error"; message: string; task_id?: number }
  | { type: "error"; message: string; detail: string };

/** What a task object pushes to its sockets and hubs: its state and its log lines. */
export type TaskMessage =
  | Extract<ServerMessage, { type: "task_update" | "task_log" }>
  | (Extract<ServerMessage, { type: "notification" }> & { task_id: number });

/** Status marks for `current_item`, as the seed shows ("🎬 视频名称"). */
export const ITEM_MARKS = { video: "🎬", audio: "🎧", document: "📄", read: "📖", empty: "📂", quiz: "📝" } as const;
