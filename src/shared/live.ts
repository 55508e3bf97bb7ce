/**
 * The live-progress messages of `WS /ws/connect` and `WS /api/tasks/{id}/ws`: one discriminated union,
 * imported by the worker, the durable objects and the dashboard (seed-api.md "WebSocket",
 * seed-wire-shapes.md), and (from enums.ts) the closed lists of statuses, reasons and roles. Constants and types only:
 * this file must stay free of runtime imports (the dashboard bundles it).
 */
import type { NotifyEventKind } from "./notify";
import type { TextParams } from "./texts";

export * from "./enums";
import type { LogLevel } from "./enums";

/** A task's fields are listed once, in src/tasks/shape.ts (zod); these are the types derived from it. */
import type { LeftForUser, TaskClass, TaskLive } from "../tasks/shape";
export type { LeftForUser, TaskClass, TaskLive };

/**
 * A log line as pushed and listed: `message` is the zh text of `code` + `params` (`code` is null on lines
 * written before migration 0005_server_text_codes).
 */
export interface TaskLogLine {
  id: number;
  level: LogLevel;
  message: string;
  code: string | null;
  params: TextParams | null;
  created_at: string;
}

/**
 * What a client sends. The seed document puts `task_id` at the top level; the origin's own frontend
 * sends `{"type": "subscribe_task", "data": {"task_id": N}}`: the server reads either (both, if equal).
 */
export type ClientMessage =
  | { type: "subscribe_task"; task_id: number }
  | { type: "unsubscribe_task"; task_id: number }
  | { type: "ping" };

export type ServerMessage =
  | { type: "connected"; user_id: number; username: string }
  | { type: "subscribed"; task_id: number }
  | { type: "unsubscribed"; task_id: number }
  | { type: "pong" }
  | { type: "task_update"; task_id: number; data: TaskUpdateData }
  | { type: "task_log"; task_id: number; log: TaskLogLine }
  | {
      type: "notification";
      level: "info" | "success" | "warning" | "error";
      /** The zh text of `code` + `params` (for old clients). */
      message: string;
      code?: string;
      params?: TextParams;
      task_id?: number;
      event?: NotifyEventKind;
    }
  | { type: "error"; message: string; detail: string };

/**
 * `task_update.data`: the task's live state, with its `task_id` too (the origin's own frontend reads it
 * there; the seed document's top-level `task_id` stays).
 */
export type TaskUpdateData = TaskLive & { task_id: number };

/** What a task object pushes to its sockets and hubs: its state and its log lines. */
export type TaskMessage =
  | Extract<ServerMessage, { type: "task_update" | "task_log" }>
  | (Extract<ServerMessage, { type: "notification" }> & { task_id: number });

/** Status marks for `current_item`, as the seed shows ("🎬 视频名称"). */
export const ITEM_MARKS = { video: "🎬", audio: "🎧", document: "📄", read: "📖", empty: "📂", quiz: "📝", live: "📺" } as const;
