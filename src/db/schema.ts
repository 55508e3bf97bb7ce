import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { LOG_LEVELS, NOTOPEN_ACTIONS, ROLES, TASK_STATUSES, type LeftForUser, type TaskClass } from "../shared/live";
import type { TextParams } from "../shared/texts";
import type { CourseSelection } from "../tasks/selection";
import { LANGUAGES, NOTIFY_DELIVERY_STATUSES, NOTIFY_EVENT_STATUSES, type NotifyChannel, type NotifyEventKind } from "../shared/notify";

/** ISO 8601 UTC strings with `Z` (api-contract.md "Lists, logs, times"). */
const timestamp = (name: string) => text(name);

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("user"),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    createdAt: timestamp("created_at").notNull(),
    lastLogin: timestamp("last_login"),
  },
  (t) => [
    // Case-insensitive uniqueness: "Alice" and "alice" are one account.
    uniqueIndex("users_username_lower").on(sql`lower(${t.username})`),
    uniqueIndex("users_email_lower").on(sql`lower(${t.email})`),
  ],
);

export const userConfigs = sqliteTable("user_configs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  userId: integer("user_id").notNull().unique().references(() => users.id, { onDelete: "cascade" }),
  cxUsername: text("cx_username"),
  /** AES-GCM ciphertext bound to the user id; never returned by any endpoint. Null for a QR-bound account. */
  cxPasswordEnc: text("cx_password_enc"),
  /**
   * How the account was bound: "qr" (a scan in the 学习通 app; no password anywhere, the binding holds
   * the session's cookies) or "password"; null (rows from before QR login) is "password".
   */
  cxLogin: text("cx_login", { enum: ["password", "qr"] }),
  speed: real("speed").notNull().default(1),
  notopenAction: text("notopen_action", { enum: NOTOPEN_ACTIONS }).notNull().default("retry"),
  /** The language of notifications and mails; the dashboard PUTs it when the user switches. */
  language: text("language", { enum: LANGUAGES }).notNull().default("zh-CN"),
  /** Notification events the user switched off (the muted ones, so an event kind added later is on by default). */
  notifyMuted: text("notify_muted", { mode: "json" }).$type<NotifyEventKind[]>().notNull().default(sql`'[]'`),
  /** Where this user's Chaoxing traffic leaves from (README "Egress"); null: the deployment's default. */
  egress: text("egress", { enum: ["relay", "direct"] }),
  updatedAt: timestamp("updated_at").notNull(),
});

/**
 * A task's row. Its TypeScript keys are the API's snake_case names, so the row is the API shape (minus
 * `updated_at`) and src/tasks/shape.ts lists the fields once for zod, the object and the mirror.
 */
export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    user_id: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The user's own note on the task (the origin's create form sends one); null when none. */
    description: text("description"),
    course_ids: text("course_ids", { mode: "json" }).$type<string[]>().notNull(),
    /**
     * The classes the task names (a courseId can belong to several; reference CLI #604): studied even if
     * ended, and the only classes of their course the task takes; `course_ids` also lists their courses.
     */
    classes: text("classes", { mode: "json" }).$type<TaskClass[]>().notNull().default(sql`'[]'`),
    /**
     * Per class studied (named or from `course_ids`): the chapters and deadline chosen and the survey's
     * figures (src/tasks/selection.ts); null in tasks from before.
     */
    selection: text("selection", { mode: "json" }).$type<CourseSelection[]>(),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("pending"),
    reason: text("reason"),
    progress: integer("progress").notNull().default(0),
    /** Per-task overrides from POST /tasks; null means "the user's config at start". */
    speed: real("speed"),
    notopen_action: text("notopen_action", { enum: NOTOPEN_ACTIONS }),
    created_at: timestamp("created_at").notNull(),
    start_time: timestamp("start_time"),
    end_time: timestamp("end_time"),
    error_msg: text("error_msg"),
    /** Why it failed, as a code of src/shared/texts.ts and its parameters, for the reader's language (error_msg: zh). */
    error_code: text("error_code"),
    error_params: text("error_params", { mode: "json" }).$type<TextParams>(),
    completed_courses: integer("completed_courses").notNull().default(0),
    total_courses: integer("total_courses").notNull().default(0),
    left_for_user: text("left_for_user", { mode: "json" }).$type<LeftForUser[]>().notNull().default(sql`'[]'`),
    study_seconds: integer("study_seconds").notNull().default(0),
    jobs_completed: integer("jobs_completed").notNull().default(0),
    updated_at: timestamp("updated_at").notNull(),
  },
  (t) => [index("tasks_user_status").on(t.user_id, t.status), index("tasks_status").on(t.status)],
);

export const taskLogs = sqliteTable(
  "task_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id").notNull().references(() => tasks.id, { onDelete: "cascade" }),
    level: text("level", { enum: LOG_LEVELS }).notNull(),
    /** The zh text of `code` (kept for old clients); lines from before migration 0005_server_text_codes have only this. */
    message: text("message").notNull(),
    /** The line's event code (src/shared/texts.ts) and its parameters, worded in the reader's language. */
    code: text("code"),
    params: text("params", { mode: "json" }).$type<TextParams>(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("task_logs_task_id").on(t.taskId, t.id)],
);

export const passwordResets = sqliteTable("password_resets", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** SHA-256 of the emailed token: a leaked table cannot reset anyone's password. */
  tokenHash: text("token_hash").notNull().unique(),
  expiresAt: timestamp("expires_at").notNull(),
  usedAt: timestamp("used_at"),
  createdAt: timestamp("created_at").notNull(),
});

/**
 * E-mail verification links: SHA-256 of the mailed token and the address it was sent to. Verifying sets
 * `users.email_verified` only while the account still has that address, so a link mailed before a change
 * of address verifies nothing.
 */
export const emailVerifications = sqliteTable(
  "email_verifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("email_verifications_user").on(t.userId)],
);

/** Every issued JWT by its jti: logout revokes one, a password change revokes the rest. */
export const authTokens = sqliteTable(
  "auth_tokens",
  {
    jti: text("jti").primaryKey(),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    issuedAt: timestamp("issued_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    revokedAt: timestamp("revoked_at"),
    /** A RevocationReason (src/auth/tokens.ts): told to the client whose token it was. */
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("auth_tokens_user").on(t.userId)],
);

/** Fixed-window counters for throttling (login failures, registrations, reset mails). */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowStart: integer("window_start").notNull(),
});

/** Append-only record of admin actions. */
export const adminAudit = sqliteTable(
  "admin_audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    adminId: integer("admin_id"),
    adminUsername: text("admin_username").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("admin_audit_created").on(t.createdAt)],
);

/** Upstream failure signals seen by the engine, for the admin statistics. */
export const upstreamEvents = sqliteTable(
  "upstream_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id"),
    userId: integer("user_id"),
    kind: text("kind").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("upstream_events_created").on(t.createdAt)],
);

/** Where an error worth an operator's look happened (src/lib/error-log.ts). */
export const ERROR_SOURCES = ["api", "task", "queue"] as const;

/**
 * The last errors (an unhandled API error, a task step that crashed or a record that could not be read, a
 * queue message that failed), for the admin's diagnostics page; the newest 500 are kept.
 */
export const errorEvents = sqliteTable(
  "error_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    source: text("source", { enum: ERROR_SOURCES }).notNull(),
    /** The request id, the task id or the event's key. */
    ref: text("ref"),
    message: text("message").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("error_events_created").on(t.createdAt)],
);

/** Study time per task per day (Asia/Shanghai), for the per-day statistics. */
export const studyDays = sqliteTable(
  "study_days",
  {
    taskId: integer("task_id").notNull().references(() => tasks.id, { onDelete: "cascade" }),
    userId: integer("user_id").notNull(),
    day: text("day").notNull(),
    seconds: integer("seconds").notNull().default(0),
  },
  (t) => [uniqueIndex("study_days_task_day").on(t.taskId, t.day), index("study_days_day").on(t.day)],
);

/**
 * A user's notification channel (README "Notifications"), one row per kind. Its secrets (keys, tokens,
 * webhook URLs) are one AES-GCM ciphertext bound to the user and the kind, never returned; `host` is what
 * the settings page may show of a URL.
 */
export const notifyChannels = sqliteTable(
  "notify_channels",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").$type<NotifyChannel>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(false),
    secretsEnc: text("secrets_enc"),
    host: text("host"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [uniqueIndex("notify_channels_user_kind").on(t.userId, t.kind)],
);

/**
 * One row per raised event. `idem_key` is unique: the same event raised again (a re-run step) finds its
 * row and is not sent twice; `message_id` tells a queue redelivery of the first message (which goes on)
 * from a second message for the same event (which is dropped). `status` is decided once, when the row is
 * written: accepted, or why not (throttled, capped, muted, no_channel).
 */
export const notifyEvents = sqliteTable(
  "notify_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idemKey: text("idem_key").notNull(),
    messageId: text("message_id").notNull(),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    taskId: integer("task_id").references(() => tasks.id, { onDelete: "cascade" }),
    /** An event kind, or `test` for a test the user sent (no task): tests count in the daily cap. */
    kind: text("kind").$type<NotifyEventKind | "test">().notNull(),
    status: text("status", { enum: NOTIFY_EVENT_STATUSES }).notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("notify_events_idem").on(t.idemKey),
    index("notify_events_task").on(t.taskId, t.kind, t.createdAt),
    index("notify_events_user").on(t.userId, t.createdAt),
  ],
);

/** One row per event and channel: what the provider answered (status, a short redacted excerpt). */
export const notifyDeliveries = sqliteTable(
  "notify_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id").notNull().references(() => notifyEvents.id, { onDelete: "cascade" }),
    channel: text("channel").$type<NotifyChannel>().notNull(),
    status: text("status", { enum: NOTIFY_DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    httpStatus: integer("http_status"),
    excerpt: text("excerpt"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [uniqueIndex("notify_deliveries_event_channel").on(t.eventId, t.channel)],
);

/**
 * Relay agents a user paired: each dials out from the student's own connection and performs that user's
 * Chaoxing requests (the platform blocks data-centre addresses: chaoxing-protocol.md "Where traffic comes
 * from"). Only hashes of the credential are kept: `secret_hash` authenticates the agent, `frame_key_enc`
 * (derived from the secret, sealed with CX_ENCRYPTION_KEY) signs request frames.
 */
export const relays = sqliteTable(
  "relays",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    secretHash: text("secret_hash").notNull(),
    frameKeyEnc: text("frame_key_enc").notNull(),
    version: text("version"),
    createdAt: timestamp("created_at").notNull(),
    lastSeenAt: timestamp("last_seen_at"),
    /** When its owner confirmed it on the dashboard; until then it carries no traffic (a guessed code pairs nothing useful). */
    confirmedAt: timestamp("confirmed_at"),
  },
  (t) => [index("relays_user").on(t.userId)],
);

/**
 * One-time pairing codes (SHA-256 of the code), short-lived; exchanged once for a relay credential. The
 * code's first half (`selector`) names it, so wrong guesses at one code are counted (`failures`) and the
 * code is void after a few; null in codes made before there was a selector.
 */
export const relayPairingCodes = sqliteTable(
  "relay_pairing_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: integer("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdAt: timestamp("created_at").notNull(),
    selector: text("selector"),
    failures: integer("failures").notNull().default(0),
  },
  (t) => [index("relay_pairing_codes_user").on(t.userId), index("relay_pairing_codes_selector").on(t.selector)],
);
