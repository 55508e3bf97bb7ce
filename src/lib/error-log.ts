import { isoNow } from "./clock";

/** The newest this many are kept: enough to see what went wrong lately, never a growing table. */
const KEEP = 500;
const MAX_MESSAGE = 500;

export interface ErrorEvent {
  source: "api" | "task" | "queue";
  /** The request id, the task id or the event's key. */
  ref: string | null;
  message: string;
}

/** What an error says, in one line for the admin's page (the full stack stays in the Worker log). */
export const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, MAX_MESSAGE);

/**
 * Records an error for the admin's diagnostics page (GET /api/admin/diagnostics), beside the log line the
 * caller writes anyway. Best effort: never throws, and a D1 that is down only loses the record.
 */
export async function recordError(env: Env, e: ErrorEvent): Promise<void> {
  try {
    await env.DB.batch([
      env.DB.prepare("INSERT INTO error_events (source, ref, message, created_at) VALUES (?, ?, ?, ?)").bind(e.source, e.ref, e.message.slice(0, MAX_MESSAGE), isoNow()),
      env.DB.prepare("DELETE FROM error_events WHERE id <= (SELECT max(id) FROM error_events) - ?").bind(KEEP),
    ]);
  } catch (err) {
    console.warn("error not recorded", err);
  }
}
