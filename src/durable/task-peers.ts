import { config } from "../config";
import { clock } from "../../shared/clock";
import { open } from "../lib/secretbox";
import { engineWork, forecastFor, forecastKeyOf } from "../tasks/forecast-work";
import type { SealedCredentials, TaskRecord } from "../tasks/record";
import { accountName, type Credentials } from "./account";
import type { OpName, OpOf, Reply } from "./account-ops";
import { phoneName } from "./phone";
import { hubName } from "./sockets";

/**
 * The objects a task works with: its user's binding of the phone (the account: session, limits, calls),
 * the phone's pacing and one-video lock, and the user's hub (run slots); and the task's Chaoxing password,
 * opened once per object.
 */
export class TaskPeers {
  private password: { sealed: string; plain: string } | null = null;
  /** Asking the hub for a run slot: the hub counts this task as running meanwhile (TaskObject `isRunning`). */
  claiming = false;

  constructor(private readonly env: Env) {}

  /** The task's user's own binding of the phone: session, limits, today's count (src/durable/account.ts). */
  account(t: TaskRecord) {
    return this.env.ACCOUNTS.getByName(accountName(t.userId, t.creds!.phone));
  }

  /** What the phone shares with other users' tasks: the pacing and the one-video lock (src/durable/phone.ts). */
  phone(t: TaskRecord) {
    return this.env.PHONES.getByName(phoneName(t.creds!.phone));
  }

  hub(t: TaskRecord) {
    return this.env.HUBS.getByName(hubName(t.userId));
  }

  credentials(t: TaskRecord): Promise<Credentials> {
    return this.unsealed(t.userId, t.creds!);
  }

  async unsealed(userId: number, creds: SealedCredentials): Promise<Credentials> {
    // Bound by QR login: no password, the account object's session is all there is.
    if (creds.sealedPassword === null) return { phone: creds.phone, password: null, userId };
    if (this.password?.sealed !== creds.sealedPassword) {
      const plain = await open(creds.sealedPassword, config(this.env).CX_ENCRYPTION_KEY, `user:${userId}`);
      this.password = { sealed: creds.sealedPassword, plain };
    }
    return { phone: creds.phone, password: this.password.plain, userId };
  }

  async call<K extends OpName>(t: TaskRecord, op: OpOf<K>, interactive = false): Promise<Reply<K>> {
    // RPC erases the generic: the account answers the Reply of the op it was given.
    const r = (await this.account(t).exec(t.id, await this.credentials(t), op, interactive)) as unknown as Reply<K>;
    // The figure the settings page shows too, as of this call: in memory, written with the next checkpoint.
    if (r.usage) t.usage = r.usage;
    return r;
  }

  /** When the account's study window opens, if it is closed now (null: open, or not known to this user's credentials). */
  async windowOpensAt(userId: number, creds: SealedCredentials): Promise<number | null> {
    const account = this.env.ACCOUNTS.getByName(accountName(userId, creds.phone));
    const view = await account.limitsView(await this.unsealed(userId, creds)).catch(() => null);
    return view?.status === "outside_window" ? view.resumesAt : null;
  }

  /**
   * Gives back the phone's video lock (or our place in its queue) and the run slot, and takes this task's
   * work out of the account's other forecasts; all heal by staleness or eviction if this fails.
   */
  async release(t: TaskRecord): Promise<void> {
    const calls: Promise<unknown>[] = [this.hub(t).releaseRun(t.id)];
    if (t.creds) calls.push(this.phone(t).releaseVideo(t.id), this.account(t).forecastContext(t.id, null));
    for (const r of await Promise.allSettled(calls)) if (r.status === "rejected") console.warn(`task ${t.id}: release failed`, r.reason);
  }

  /** A run slot from the user's hub, which decides racing starts one at a time (within `max`). */
  async claimRun(t: TaskRecord, max: number): Promise<boolean> {
    this.claiming = true;
    try {
      return await this.hub(t).claimRun(t.id, max);
    } finally {
      this.claiming = false;
    }
  }

  /**
   * The forecast, made again (src/tasks/forecast-work.ts): this task's work left, told to its account,
   * which answers with its limits, today's usage and the other running tasks' work. Kept in the record
   * (written with the next checkpoint); a failed call keeps the last one.
   */
  async forecast(t: TaskRecord): Promise<void> {
    if (!t.engine || !t.creds) return;
    try {
      const left = engineWork(t.engine, t.selection ?? null);
      const ctx = await this.account(t).forecastContext(t.id, left.work);
      t.forecast = forecastFor(left, ctx, clock.now(), { holdsLock: t.engine.holdsVideo });
      t.forecastKey = forecastKeyOf(t.engine);
    } catch (e) {
      console.warn(`task ${t.id}: forecast failed`, e);
    }
  }
}
