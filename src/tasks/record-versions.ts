import { checkEngine } from "../engine/state";
import { firstBad, is, isObject, type RecordFormat } from "../lib/versioned";
import { TASK_STATUSES } from "../shared/live";
import type { TaskRecord } from "./record";

/**
 * The versions of the stored task record (src/lib/versioned.ts), each step turning one into the next.
 * Add a step whenever the record's shape changes, and record the release's objects before it ships
 * (scripts/record-fixtures.mjs; docs/operations.md "Releasing").
 *
 * - 0: before the task object was the one authority (up to 2026-11-29, 7026d3b): `taskId`, no name, no
 *   course ids or settings of its own (they were the engine's), no outbox, a mirror without `pending`.
 * - 1: 0.1.0 (05723ba) and the releases before it since 2026-12-01, still without `v`.
 * - 2: versioned; a video's report gaps are fixed by its position (`randomGaps` marks one from before).
 */
type Raw = Record<string, unknown>;

/** 0 → 1: the fields the one-authority record added, from what the old one knew. */
function fromLegacy(r: unknown): Raw {
  if (!isObject(r)) throw new TypeError("not an object");
  const engine = isObject(r.engine) ? r.engine : null;
  const mirror = isObject(r.mirror) ? r.mirror : {};
  const { taskId, ...rest } = r;
  return {
    ...rest,
    id: taskId,
    // The row has the name; the record only needs it for notifications, and a transition refreshes it.
    name: `#${String(taskId)}`,
    courseIds: engine?.courseIds ?? [],
    error: null,
    speed: engine?.speed ?? null,
    notopenAction: engine?.notopenAction ?? null,
    // The row's columns of this release were never written by the old one: all of them, once.
    mirror: { pending: "full", at: mirror.at ?? 0, studySeconds: mirror.studySeconds ?? 0, progress: mirror.progress ?? 0 },
    outbox: [],
  };
}

/** 1 → 2: a video in progress had its report gaps drawn at random (src/engine/restart.ts `resyncMedia`). */
function randomGaps(r: unknown): Raw {
  if (!isObject(r)) throw new TypeError("not an object");
  const engine = isObject(r.engine) ? r.engine : null;
  if (engine && isObject(engine.media)) engine.media.randomGaps = true;
  return r;
}

export const TASK_RECORD: RecordFormat<TaskRecord> = {
  name: "task record",
  steps: [fromLegacy, randomGaps],
  versionOf: (r) => (!isObject(r) ? null : "v" in r ? (Number.isInteger(r.v) ? (r.v as number) : null) : "taskId" in r ? 0 : 1),
  check: (r) =>
    firstBad(r, {
      id: is.int,
      userId: is.int,
      name: is.str,
      courseIds: is.arr,
      status: is.oneOf(...TASK_STATUSES),
      gen: is.int,
      crashes: is.int,
      mirror: (m) => isObject(m) && is.oneOf("none", "progress", "full")(m.pending) && is.num(m.progress),
      outbox: is.arr,
      lateness: is.arr,
      // No sealed password: an account bound by QR login (its binding holds the session).
      creds: is.nullable((c) => isObject(c) && is.str(c.phone) && is.nullable(is.str)(c.sealedPassword)),
    }) ?? (r.engine === null ? null : isObject(r.engine) ? checkEngine(r.engine) : "engine is not an object"),
};
