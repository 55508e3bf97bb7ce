import { isoNow } from "../lib/clock";
import type { TaskLive } from "../shared/live";
import { taskEventKind, type NotifyEventKind } from "../shared/notify";
import type { EventDetail } from "./messages";

/** The queue message of one raised event (the consumer reads everything else from D1). */
export interface NotifyMessage {
  /** Idempotency key: the same event raised twice has the same key and is delivered once. */
  key: string;
  kind: NotifyEventKind;
  user_id: number;
  task_id: number;
  detail: EventDetail;
  at: string;
  /**
   * An admin's retry of a dead letter: the claim the retry wrote on the event, which the consumer takes in
   * place of the queue's message id (a second message for an event is otherwise dropped as a duplicate).
   */
  claim?: string;
}

export interface NotifyEvent {
  kind: NotifyEventKind;
  userId: number;
  taskId: number;
  /**
   * What makes this occurrence of the event unique, and the same when the step that raised it runs
   * again: the task's transition counter for a transition, the Shanghai day for a daily cap.
   */
  occurrence: string;
  detail?: EventDetail;
}

interface Producer {
  send(body: NotifyMessage): Promise<void>;
}

let override: Producer | null = null;

/** Test hook: capture raised events instead of queueing them (null restores the queue binding). */
export function setNotifyProducerOverride(p: Producer | null): void {
  override = p;
}

/**
 * Raises an event: one queue message, nothing else on the caller's path (the consumer deduplicates,
 * throttles, reads the task's name and the user's channels). Never throws: a notification that could not
 * be queued is logged, and the task step that raised it goes on.
 */
export async function notify(env: Env, e: NotifyEvent): Promise<void> {
  const body: NotifyMessage = {
    key: `task:${e.taskId}:${e.kind}:${e.occurrence}`,
    kind: e.kind,
    user_id: e.userId,
    task_id: e.taskId,
    detail: e.detail ?? {},
    at: isoNow(),
  };
  try {
    await enqueue(env, body);
  } catch (err) {
    console.error(`notify: could not queue ${body.key}`, err);
  }
}

/** One message onto the notification queue (or the test hook's capture); throws when the queue does. */
export async function enqueue(env: Env, body: NotifyMessage): Promise<void> {
  if (override) await override.send(body);
  else await env.NOTIFY_QUEUE.send(body, { contentType: "json" });
}

/** The event a task's new state is worth (captcha, ask, completed, failed…), raised if there is one. */
export async function notifyTaskState(env: Env, t: { taskId: number; userId: number; occurrence: string; live: TaskLive }): Promise<void> {
  const kind = taskEventKind(t.live);
  if (!kind) return;
  await notify(env, { kind, userId: t.userId, taskId: t.taskId, occurrence: t.occurrence, detail: eventDetail(kind, t.live) });
}

/** What a message of this kind says beside the task's name, from the task's state. */
export function eventDetail(kind: NotifyEventKind, live: Pick<TaskLive, "left_for_user" | "error_msg" | "error_params" | "notopen_chapter">): EventDetail {
  if (kind === "completed") return { left: live.left_for_user.length };
  if (kind === "failed") return { error: live.error_msg ?? undefined };
  if (kind === "notopen_ask") return { chapter: live.notopen_chapter ?? undefined };
  if (kind === "admin_stop") return { note: typeof live.error_params?.note === "string" ? live.error_params.note : undefined };
  return {};
}
