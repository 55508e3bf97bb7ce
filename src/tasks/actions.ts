import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { relayName } from "../durable/relay";
import type { RunInput, StopReason } from "../durable/task";
import { ApiError } from "../lib/errors";
import { egressOf } from "../relay/egress";
import { savedCredentials } from "../services/cx-account";
import { loadConfig } from "../users/config";
import { settle } from "./results";
import type { TaskLive, TaskRow } from "./shape";
import { taskStub } from "./stub";

/** The states a task can be stopped from (api-contract.md: cancel, force-stop, deactivation). */
export const LIVE_STATUSES = ["pending", "running", "paused"] as const;

/**
 * What a transition to running takes from the user's config: the saved account (400 without one), and the
 * speed and closed-chapter action a first start uses when the task has none of its own.
 */
export async function runInput(env: Env, db: Db, row: TaskRow): Promise<RunInput> {
  const [creds, cfg] = await Promise.all([savedCredentials(env, row.user_id), loadConfig(db, row.user_id), requireRelayOnline(env, row.user_id)]);
  return { creds, speed: row.speed ?? cfg.speed, notopenAction: row.notopen_action ?? cfg.notopenAction };
}

/**
 * A task on relay egress does not start with none of the user's agents online: it would only pause at
 * its first call. The user is told at the click, with where to fix it.
 */
async function requireRelayOnline(env: Env, userId: number): Promise<void> {
  if ((await egressOf(env, userId)) !== "relay") return;
  const p = await env.RELAYS.getByName(relayName(userId)).presence();
  if (p.online) return;
  throw new ApiError(
    "relay_required",
    p.needsUpdate ? "你的中继需要更新：请在「中继」页复制安装命令重新安装后再启动任务" : "你选择了经中继访问超星，但没有在线的中继：请先在「中继」页启动或配对中继",
    { link: "/relay" },
  );
}

/** Cancel for the user, an admin (with the admin's `note`), or a deactivation; the object decides whether the task's state allows it. */
export async function cancelTask(env: Env, row: TaskRow, reason: StopReason, note?: string): Promise<TaskLive> {
  return settle(await taskStub(env, row.id).cancel(row, reason, note));
}

/** Removes the object's storage (refused for a running task unless `force`), then the row (its logs cascade). */
export async function deleteTask(env: Env, db: Db, id: number, force = false): Promise<void> {
  settle(await taskStub(env, id).destroy(force));
  await db.delete(tasks).where(eq(tasks.id, id));
}
