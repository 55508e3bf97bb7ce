import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { config } from "../config";
import { getDb } from "../db/client";
import { notifyChannels, tasks, userConfigs, users } from "../db/schema";
import { clock, shanghaiDay, shanghaiDayStart } from "../../shared/clock";
import { errorText, recordError } from "../lib/error-log";
import { LANGUAGES, NOTIFY_EVENTS, type NotifyChannel } from "../shared/notify";
import { deliverTo, type Attempt } from "./deliver";
import { eventNotice } from "./messages";
import type { NotifyMessage } from "./produce";

/** Kept in step with `max_retries` of the consumer in wrangler.toml: after that, the dead-letter queue. */
export const NOTIFY_MAX_RETRIES = 5;
/**
 * At most one message per task and event kind in this window (README "Notifications"): a task that keeps
 * falling back into the same state reaches the student's phone once, not at every step.
 */
const NOTIFY_WINDOW_MS = 10 * 60_000;

/** Back-off before the next try: 1 min, 3 min, 9 min, 27 min, then an hour. */
const backoffSeconds = (attempts: number) => Math.min(3600, 60 * 3 ** Math.max(0, attempts - 1));

const MessageSchema = z.object({
  key: z.string().min(1).max(200),
  // A message queued by 0.2.x still names the rollback notice `rollback`.
  kind: z.preprocess((k) => (k === "rollback" ? "rolled_back" : k), z.enum(NOTIFY_EVENTS)),
  user_id: z.number().int(),
  task_id: z.number().int(),
  detail: z.object({
    left: z.number().int().optional(),
    error: z.string().max(2000).optional(),
    chapter: z.string().max(500).optional(),
    note: z.string().max(500).optional(),
    videos: z.number().int().optional(),
  }),
  at: z.string(),
  claim: z.string().min(1).max(64).optional(),
}) satisfies z.ZodType<NotifyMessage>;

/**
 * The `queue()` handler: notification events, and the dead letters of those whose retries ran out.
 * Each message is acked or retried on its own, so one bad channel does not hold back the batch.
 */
export async function consumeNotifications(batch: MessageBatch, env: Env): Promise<void> {
  const deadLetters = batch.queue.endsWith("-dlq");
  for (const m of batch.messages) {
    const parsed = MessageSchema.safeParse(m.body);
    if (!parsed.success) {
      // A message we cannot read never will be: drop it instead of retrying it to the dead letters.
      console.error(`notify: unreadable message ${m.id} dropped`, parsed.error.issues);
      m.ack();
      continue;
    }
    try {
      if (deadLetters) {
        await markDead(env, parsed.data.key);
        m.ack();
      } else if ((await deliverEvent(env, parsed.data.claim ?? m.id, parsed.data)) === "retry") {
        if (m.attempts > NOTIFY_MAX_RETRIES) console.warn(`notify: ${parsed.data.key} still failing after ${m.attempts} tries: to the dead letters`);
        m.retry({ delaySeconds: backoffSeconds(m.attempts) });
      } else {
        m.ack();
      }
    } catch (e) {
      console.error(`notify: ${parsed.data.key} failed`, e);
      await recordError(env, { source: "queue", ref: parsed.data.key, message: errorText(e) });
      m.retry({ delaySeconds: backoffSeconds(m.attempts) });
    }
  }
}

interface EventRow {
  id: number;
  status: string;
  message_id: string;
  d_id: number | null;
  channel: NotifyChannel | null;
  d_status: string | null;
}

/**
 * One event: recorded once under its idempotency key (the unique index makes a second message for the
 * same event find the first one's row and stop), throttled and capped in the same statement that
 * records it, then sent to every enabled channel still pending. Returns "retry" when a channel is worth
 * another try later.
 */
async function deliverEvent(env: Env, messageId: string, msg: NotifyMessage): Promise<"done" | "retry"> {
  const d = getDb(env);
  const [[user], [task], enabled] = await d.batch([
    d.select({ email: users.email, verified: users.emailVerified, language: userConfigs.language, muted: userConfigs.notifyMuted })
      .from(users).leftJoin(userConfigs, eq(userConfigs.userId, users.id))
      .where(and(eq(users.id, msg.user_id), eq(users.isActive, true))),
    d.select({ name: tasks.name }).from(tasks).where(and(eq(tasks.id, msg.task_id), eq(tasks.user_id, msg.user_id))),
    d.select().from(notifyChannels).where(and(eq(notifyChannels.userId, msg.user_id), eq(notifyChannels.enabled, true))).orderBy(notifyChannels.id),
  ]);
  // A deleted or deactivated user, or a deleted task: nobody to tell (and no row to hang the event on).
  if (!user || !task) return "done";
  const muted = (user.muted ?? []).includes(msg.kind);
  // An address its owner has not verified gets nothing but the link and a reset (src/auth/verify-email.ts).
  const channels = enabled.filter((c) => c.kind !== "email" || user.verified);

  const db = env.DB;
  const now = clock.now();
  const iso = new Date(now).toISOString();
  const preset = muted ? "muted" : channels.length === 0 ? "no_channel" : null;
  const stmts = [
    // ON CONFLICT after INSERT … SELECT needs the WHERE clause (SQLite's parsing rule for upserts).
    db.prepare(
      `INSERT INTO notify_events (idem_key, message_id, user_id, task_id, kind, status, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5,
         CASE
           WHEN ?6 IS NOT NULL THEN ?6
           WHEN EXISTS (SELECT 1 FROM notify_events WHERE task_id = ?4 AND kind = ?5 AND status = 'accepted' AND created_at > ?8) THEN 'throttled'
           WHEN (SELECT count(*) FROM notify_events WHERE user_id = ?3 AND status = 'accepted' AND created_at >= ?9) >= ?10 THEN 'capped'
           ELSE 'accepted'
         END,
         ?7
       WHERE true
       ON CONFLICT (idem_key) DO NOTHING`,
    ).bind(
      msg.key, messageId, msg.user_id, msg.task_id, msg.kind, preset, iso,
      new Date(now - NOTIFY_WINDOW_MS).toISOString(), shanghaiDayStart(shanghaiDay(now)), config(env).NOTIFY_DAILY_CAP,
    ),
    ...channels.map((c) =>
      db.prepare(
        `INSERT INTO notify_deliveries (event_id, channel, status, attempts, updated_at)
         SELECT id, ?, 'pending', 0, ? FROM notify_events WHERE idem_key = ? AND message_id = ? AND status = 'accepted'
         ON CONFLICT (event_id, channel) DO NOTHING`,
      ).bind(c.kind, iso, msg.key, messageId),
    ),
    db.prepare(
      `SELECT e.id, e.status, e.message_id, d.id AS d_id, d.channel, d.status AS d_status
       FROM notify_events e LEFT JOIN notify_deliveries d ON d.event_id = e.id WHERE e.idem_key = ?`,
    ).bind(msg.key),
  ];
  const results = await db.batch<EventRow>(stmts);
  const rows = results.at(-1)!.results;
  const event = rows[0];
  // Another message already carries this event (the step that raised it ran again): that one delivers it.
  if (!event || event.message_id !== messageId || event.status !== "accepted") return "done";
  const pending = rows.filter((r) => r.d_status === "pending");
  if (pending.length === 0) return "done";

  const notice = eventNotice(
    user.language ?? LANGUAGES[0],
    { id: msg.key, kind: msg.kind, taskId: msg.task_id, taskName: task.name, detail: msg.detail, occurredAt: msg.at },
    config(env).APP_URL,
  );
  const attempts = await Promise.all(
    pending.map(async (p): Promise<Attempt> => {
      const row = channels.find((c) => c.kind === p.channel);
      // Switched off since the event was recorded: not sent.
      if (!row) return { verdict: "failed", status: null, excerpt: "channel disabled" };
      return deliverTo(env, row, user.email, notice);
    }),
  );
  const done = new Date(clock.now()).toISOString();
  await db.batch(
    pending.map((p, i) => {
      const a = attempts[i]!;
      return db
        .prepare("UPDATE notify_deliveries SET status = ?, attempts = attempts + 1, http_status = ?, excerpt = ?, updated_at = ? WHERE id = ?")
        .bind(a.verdict === "retry" ? "pending" : a.verdict, a.status, a.excerpt, done, p.d_id);
    }),
  );
  return attempts.some((a) => a.verdict === "retry") ? "retry" : "done";
}

/** Retries ran out (the platform moved the message to the dead-letter queue): what is still pending is dead. */
async function markDead(env: Env, key: string): Promise<void> {
  await env.DB.prepare(
    "UPDATE notify_deliveries SET status = 'dead', updated_at = ? WHERE status = 'pending' AND event_id = (SELECT id FROM notify_events WHERE idem_key = ?)",
  )
    .bind(new Date(clock.now()).toISOString(), key)
    .run();
}
