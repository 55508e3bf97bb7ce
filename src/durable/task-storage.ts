import { recordError } from "../lib/error-log";
import { isObject, load, stamp, type LoadFailure } from "../lib/versioned";
import { recordOf, type SealedCredentials, type TaskRecord } from "../tasks/record";
import { TASK_RECORD } from "../tasks/record-versions";
import { refused } from "../tasks/results";
import type { TaskRow } from "../tasks/shape";

const RECORD_KEY = "t";
/** A stored record this release could not read, kept as it was (the admin export shows it). */
const UNREADABLE_KEY = "t.unreadable";
/** Set when the task is deleted, so a request that raced the delete finds nothing to revive. */
const DELETED_KEY = "deleted";

/**
 * What a task object keeps in its storage: the record, in its format's current version (loaded from the
 * release that wrote it: src/tasks/record-versions.ts), a record it could not read, and the tombstone.
 * The task object (src/durable/task.ts) decides what an unreadable record means for the task.
 */
export class TaskStorage {
  /** Why the stored record could not be loaded, while no record has replaced it. */
  unreadable: LoadFailure | null = null;
  /** The account of the unreadable record (from it when readable, else the user's saved one). */
  unreadableCreds: SealedCredentials | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  deleted(): boolean {
    return this.ctx.storage.kv.get<boolean>(DELETED_KEY) === true;
  }

  markDeleted(): void {
    this.ctx.storage.kv.put(DELETED_KEY, true);
  }

  /**
   * The stored record, upgraded. One that cannot be read is kept aside as it was, and null is answered
   * with the reason in `unreadable`; one written by a later release (this one was rolled back to) is left
   * alone until that release is back.
   */
  read(): TaskRecord | null {
    const raw = this.ctx.storage.kv.get<unknown>(RECORD_KEY);
    if (raw === undefined) return null;
    const loaded = load(TASK_RECORD, raw);
    if (loaded.ok) return loaded.value;
    this.unreadable = loaded.failure;
    const creds = isObject(raw) && isObject(raw.creds) ? raw.creds : null;
    this.unreadableCreds = typeof creds?.phone === "string" && typeof creds.sealedPassword === "string" ? { phone: creds.phone, sealedPassword: creds.sealedPassword } : null;
    const detail = loaded.failure.kind === "newer" ? `written by a later release (record version ${loaded.failure.version})` : loaded.failure.detail;
    console.error(`${this.ctx.id.name}: stored record not loaded: ${detail}`);
    this.ctx.waitUntil(recordError(this.env, { source: "task", ref: this.taskId()?.toString() ?? null, message: `stored record not loaded: ${detail}` }));
    if (loaded.failure.kind === "corrupt" && this.ctx.storage.kv.get(UNREADABLE_KEY) === undefined) this.ctx.storage.kv.put(UNREADABLE_KEY, raw);
    return null;
  }

  write(t: TaskRecord): void {
    this.unreadable = null;
    this.ctx.storage.kv.put(RECORD_KEY, stamp(TASK_RECORD, t));
  }

  /**
   * In place of a stored record that could not be read, one made from the task's row, without an engine
   * state: it can be paused, cancelled, failed with the reason, or retried (starting over). With the
   * credentials, stopping it also gives back the account's video lock. Null for a later release's record.
   */
  standIn(row: TaskRow): TaskRecord | null {
    if (this.unreadable?.kind !== "corrupt") return null;
    return { ...recordOf(row), creds: this.unreadableCreds, unreadable: this.unreadable.detail };
  }

  /** The refusal for a record of a later release, or null. */
  newerRefusal() {
    if (this.unreadable?.kind !== "newer") return null;
    return refused("conflict", `该任务由更新的版本（记录版本 ${this.unreadable.version}）保存，当前版本无法处理；升级后即可继续`);
  }

  /** The admin export: the record exactly as written (its version in it), and one kept aside. */
  exported(): { record: unknown; unreadable: unknown } | null {
    const record = this.ctx.storage.kv.get<unknown>(RECORD_KEY) ?? null;
    const unreadable = this.ctx.storage.kv.get<unknown>(UNREADABLE_KEY) ?? null;
    return record === null && unreadable === null ? null : { record, unreadable };
  }

  /** This object's task (`task:<id>`). */
  taskId(): number | null {
    const id = Number(this.ctx.id.name?.slice("task:".length));
    return Number.isInteger(id) ? id : null;
  }
}
