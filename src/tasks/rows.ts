import type { tasks } from "../db/schema";
import { IDLE, OWNED_FIELDS, PROGRESS_FIELDS, type Owned, type TaskLive, type TaskOut } from "./shape";

/**
 * A task's D1 row beside its API shape (shape.ts): the row is the shape minus `updated_at`. Apart from the
 * zod shape so that the row's schema (src/db/schema.ts) can type its JSON columns with the shape's types.
 */

export type TaskRow = typeof tasks.$inferSelect;

// The row and the schema list the same fields: a column added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameFields: Same<keyof Omit<TaskRow, "updated_at">, keyof TaskOut> = true;
void sameFields;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function taskOut(row: TaskRow): TaskOut {
  const { updated_at: _, ...out } = row;
  // Items mirrored before their reasons had codes.
  const left = out.left_for_user.map((l) => ({ ...l, reason_code: l.reason_code ?? null, reason_params: l.reason_params ?? null }));
  // The survey's figures stay inside: what the task chose is shown.
  const selection = out.selection?.map((c) => ({ course_id: c.courseId, clazz_id: c.clazzId, chapters: c.chapters, deadline: iso(c.deadline) })) ?? null;
  return { ...out, reason: out.reason as TaskOut["reason"], left_for_user: left, selection };
}

const pick = <K extends keyof Owned>(from: Owned, keys: readonly K[]): Pick<Owned, K> =>
  Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<Owned, K>;

/** The live view of a task that has no engine state (pending, or stopped before it ever ran): its row. */
export const liveOfRow = (row: TaskRow): TaskLive => ({ ...pick(taskOut(row), OWNED_FIELDS), ...IDLE });

/** The row with the object's live fields laid over it: the object is the source of truth. */
export const withLive = (row: TaskRow, live: TaskLive | null) => ({ ...taskOut(row), ...(live ?? liveOfRow(row)) });

/** A list row with the object's owned fields laid over it: no live-only fields, as lists show the row's shape. */
export const withOwned = (row: TaskRow, live: TaskLive): TaskOut => ({ ...taskOut(row), ...pick(live, OWNED_FIELDS) });

/** The columns a mirror writes: every owned field on a transition, the progress ones in between. */
export const mirrorColumns = (live: TaskLive, full: boolean) => (full ? pick(live, OWNED_FIELDS) : pick(live, PROGRESS_FIELDS));
