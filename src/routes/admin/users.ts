import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import type { App } from "../../types";
import { adminOnly } from "../../auth/middleware";
import { closeLiveSockets, revokeUserTokens, type UserRow } from "../../auth/tokens";
import { findById } from "../../auth/users";
import { sendVerification } from "../../auth/verify-email";
import { config } from "../../config";
import { relayName } from "../../durable/relay";
import type { Db } from "../../db/client";
import { tasks, users } from "../../db/schema";
import { TASK_STATUSES } from "../../shared/live";
import { cancelTask, deleteTask, LIVE_STATUSES } from "../../tasks/actions";
import { TaskSchema } from "../../tasks/shape";
import { taskOut } from "../../tasks/rows";
import { ApiError, duplicate, notFound } from "../../lib/errors";
import { bearer, configOut, Email, errors, IdParam, json, jsonBody, MessageSchema, PageQuery, pageOf, paginate, StatisticsSchema, UserConfigSchema, UserSchema, userOut } from "../schemas";
import { loadConfig } from "../../users/config";
import { userStatistics } from "../../users/statistics";
import { auditRead, auditStatement } from "./audit";

type TaskCounts = z.infer<typeof StatisticsSchema>["tasks"];

const AdminUserRowSchema = UserSchema.extend({ task_counts: StatisticsSchema.shape.tasks }).openapi("AdminUserRow");

const BoolQuery = z.enum(["true", "false"]).transform((v) => v === "true");

const UserListQuery = PageQuery.extend({
  search: z.string().trim().max(64).optional().openapi({ description: "用户名或邮箱的子串（不区分大小写）" }),
  role: z.enum(["user", "admin"]).optional(),
  is_active: BoolQuery.optional().openapi({ type: "string", enum: ["true", "false"] }),
});

/** The origin's user object at the top level (seed-wire-shapes.md), the extras beside its fields. */
const UserDetailSchema = UserSchema.extend({
  config: UserConfigSchema,
  statistics: StatisticsSchema,
  recent_tasks: z.array(TaskSchema).openapi({ description: "最近创建的 10 个任务，最新在前" }),
}).openapi("AdminUserDetail");

const PhoneSchema = z.object({ cx_username: z.string().nullable().openapi({ description: "完整的超星账号（手机号）；未保存为 null" }) }).openapi("AdminUserPhone");

/** 13800138000 → 138****8000: enough to tell two students apart, not to call one. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  return phone.length >= 7 ? `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}` : "*".repeat(phone.length);
}

const UserUpdate = z
  .object({ role: z.enum(["user", "admin"]).optional(), is_active: z.boolean().optional(), email: Email.optional() })
  .refine((b) => Object.keys(b).length > 0, "至少提供 role、is_active、email 之一")
  .openapi("AdminUserUpdate");

const RECENT_TASKS = 10;

/** Counts of `tasks` rows by status, as aggregate columns (one SQL query for a page of users). */
const taskCountColumns = {
  total: sql<number>`count(${tasks.id})`,
  ...(Object.fromEntries(TASK_STATUSES.map((s) => [s, sql<number>`coalesce(sum(${tasks.status} = ${s}), 0)`])) as Record<
    (typeof TASK_STATUSES)[number],
    SQL<number>
  >),
};

/**
 * True for the target row while the change keeps some active admin: either the row is not an active
 * admin, or another active admin exists. Evaluated inside the UPDATE/DELETE itself (and its audit
 * insert, in the same batch), so two admins demoting each other at once cannot leave none.
 */
const keepsAnActiveAdmin = (id: number) =>
  sql`(NOT (${users.role} = 'admin' AND ${users.isActive} = 1)
       OR EXISTS (SELECT 1 FROM users other WHERE other.role = 'admin' AND other.is_active = 1 AND other.id <> ${id}))`;

/** The audit insert runs only when the guarded statement will: same predicate, same batch. */
const rowMatches = (where: SQL | undefined) => sql`EXISTS (SELECT 1 FROM users WHERE ${where})`;

async function targetUser(db: Db, id: number): Promise<UserRow> {
  const u = await findById(db, id);
  if (!u) throw notFound("用户不存在");
  return u;
}

/**
 * Cancels the user's live tasks (reason account_disabled), each in its object, so a start racing this
 * loses (or is cancelled right after). A task that finished between the list and the cancel answers
 * 409/404 from its object; that is the outcome we wanted, so it is skipped.
 */
async function stopUserTasks(env: Env, db: Db, userId: number): Promise<number[]> {
  const live = await db.select().from(tasks).where(and(eq(tasks.user_id, userId), inArray(tasks.status, LIVE_STATUSES))).all();
  const stopped: number[] = [];
  for (const row of live) {
    try {
      await cancelTask(env, row, "account_disabled");
      stopped.push(row.id);
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 409 && e.status !== 404)) throw e;
    }
  }
  return stopped;
}

async function assertEmailFree(db: Db, email: string, exceptId: number): Promise<void> {
  const taken = await db
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.email}) = ${email.toLowerCase()}`, ne(users.id, exceptId)))
    .get();
  if (taken) throw duplicate("email");
}

/** A deactivated or deleted user's way in ends at once: their tokens and live sockets, and their relay agents' sockets. */
async function shutOut(env: Env, userId: number): Promise<void> {
  await revokeUserTokens(env, userId, "account_disabled");
  await env.RELAYS.getByName(relayName(userId)).closeAll("account_disabled");
}

export function registerAdminUserRoutes(app: App) {
  const admin = { tags: ["管理员"], security: bearer, middleware: adminOnly };
  const base = { 401: errors[401], 403: errors[403] };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/users",
      summary: "获取所有用户（分页；按用户名/邮箱搜索，按角色、启用状态过滤；含各状态任务数）",
      ...admin,
      request: { query: UserListQuery },
      responses: { 200: json(pageOf(AdminUserRowSchema, "AdminUserPage"), "用户列表，最新注册在前"), 400: errors[400], ...base },
    }),
    async (c) => {
      const { page, page_size, search, role, is_active } = c.req.valid("query");
      const db = c.var.db;
      const where = and(
        search ? sql`(instr(lower(${users.username}), ${search.toLowerCase()}) > 0 OR instr(lower(${users.email}), ${search.toLowerCase()}) > 0)` : undefined,
        role ? eq(users.role, role) : undefined,
        is_active !== undefined ? eq(users.isActive, is_active) : undefined,
      );
      const [rows, total] = await Promise.all([
        db
          .select({ user: users, counts: taskCountColumns })
          .from(users)
          .leftJoin(tasks, eq(tasks.user_id, users.id))
          .where(where)
          .groupBy(users.id)
          .orderBy(desc(users.id))
          .limit(page_size)
          .offset((page - 1) * page_size)
          .all(),
        db.select({ n: count() }).from(users).where(where).get(),
      ]);
      await auditRead(db, c.var.auth.user, { action: "user.list", targetType: "user", details: { search: search ?? null, role: role ?? null, is_active: is_active ?? null } });
      const items = rows.map((r) => ({ ...userOut(r.user), task_counts: r.counts as TaskCounts }));
      return c.json(paginate(items, total?.n ?? 0, page, page_size), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/users/{id}",
      summary: "获取用户详情（用户对象的字段，另加配置（不含超星密码）、统计、最近 10 个任务）",
      ...admin,
      request: { params: IdParam },
      responses: { 200: json(UserDetailSchema, "用户详情"), 400: errors[400], ...base, 404: errors[404] },
    }),
    async (c) => {
      const db = c.var.db;
      const u = await targetUser(db, c.req.valid("param").id);
      const [cfg, statistics, recent] = await Promise.all([
        loadConfig(db, u.id),
        userStatistics(db, u.id),
        db.select().from(tasks).where(eq(tasks.user_id, u.id)).orderBy(desc(tasks.id)).limit(RECENT_TASKS).all(),
      ]);
      await auditRead(db, c.var.auth.user, { action: "user.view", targetType: "user", targetId: u.id, details: { username: u.username } });
      // The student's phone number is theirs: masked here, shown in full only on request (audited, below).
      return c.json({ ...userOut(u), config: { ...configOut(cfg), cx_username: maskPhone(cfg.cxUsername) }, statistics, recent_tasks: recent.map(taskOut) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/users/{id}/phone",
      summary: "查看用户完整的超星账号（手机号；每次查看都记入审计日志）",
      description: "用户详情中的手机号是打码的（如 138****8000）；确有需要时用此接口查看完整号码，每次查看记一条审计日志（user.reveal_phone）。",
      ...admin,
      request: { params: IdParam },
      responses: { 200: json(PhoneSchema, "完整的超星账号"), 400: errors[400], ...base, 404: errors[404] },
    }),
    async (c) => {
      const db = c.var.db;
      const u = await targetUser(db, c.req.valid("param").id);
      const cfg = await loadConfig(db, u.id);
      // Every look is recorded, not deduplicated like other reads: a phone number is worth one row each time.
      await auditStatement(db, c.var.auth.user, { action: "user.reveal_phone", targetType: "user", targetId: u.id, details: { username: u.username } });
      return c.json({ cx_username: cfg.cxUsername }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/admin/users/{id}",
      summary: "更新用户（角色、启用状态、邮箱）",
      description:
        "停用账号会立即撤销该用户的全部令牌，并取消其 pending/running/paused 任务（reason: account_disabled）。" +
        "最后一个启用的管理员不能被降级或停用（409）。修改邮箱后 email_verified 置为 false，并向新邮箱发送验证链接；邮箱不区分大小写唯一（400 邮箱已被注册）。",
      ...admin,
      request: { params: IdParam, body: jsonBody(UserUpdate) },
      responses: { 200: json(UserSchema, "更新后的用户"), 400: errors[400], ...base, 404: errors[404], 409: errors[409], 415: errors[415] },
    }),
    async (c) => {
      const db = c.var.db;
      const body = c.req.valid("json");
      const u = await targetUser(db, c.req.valid("param").id);
      const emailChanged = body.email !== undefined && body.email.toLowerCase() !== u.email.toLowerCase();
      if (body.email !== undefined) await assertEmailFree(db, body.email, u.id);

      const set: Partial<UserRow> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const change = <K extends "role" | "isActive" | "email">(key: K, field: string, to: UserRow[K] | undefined) => {
        if (to === undefined || to === u[key]) return;
        set[key] = to;
        changes[field] = { from: u[key], to };
      };
      change("role", "role", body.role);
      change("isActive", "is_active", body.is_active);
      change("email", "email", body.email);
      // A new address is not the one the user verified.
      if (emailChanged) set.emailVerified = false;

      const entry = { action: "user.update", targetType: "user", targetId: u.id, details: { username: u.username, changes } } as const;
      let updated: UserRow | undefined = u;
      if (Object.keys(set).length === 0) {
        // Nothing differs: still an admin action worth recording, but there is no row to write.
        await auditStatement(db, c.var.auth.user, entry);
      } else {
        const losesAdmin = set.role === "user" || set.isActive === false;
        const where = and(eq(users.id, u.id), losesAdmin ? keepsAnActiveAdmin(u.id) : undefined);
        try {
          [, [updated]] = await db.batch([
            auditStatement(db, c.var.auth.user, entry, rowMatches(where)),
            db.update(users).set(set).where(where).returning(),
          ]);
        } catch (e) {
          // Lost a race for the address: the unique index on lower(email) decided.
          if (emailChanged && String(e).includes("UNIQUE")) throw duplicate("email");
          throw e;
        }
        if (!updated) throw new ApiError("last_admin", "不能降级或停用最后一个启用的管理员");
      }

      // A demoted admin's open sockets may watch other users' tasks: close them all (1008), so the client
      // reconnects and each subscription is checked against the new role.
      if (set.role === "user") await closeLiveSockets(c.env, { userId: u.id, exceptJti: null }, "role_changed");
      if (body.is_active === false) {
        // Sessions end first, so the user cannot start anything while their tasks are being stopped.
        await shutOut(c.env, u.id);
        await stopUserTasks(c.env, db, u.id);
      }
      // The new address is verified again by whoever owns it: the link goes there (the old one is void).
      if (emailChanged && updated.isActive) c.executionCtx.waitUntil(sendVerification(db, config(c.env), updated));
      return c.json(userOut(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/admin/users/{id}",
      summary: "删除用户（停止并删除其任务、任务存储、日志、配置与令牌）",
      description: "不能删除自己（409），也不能删除最后一个启用的管理员（409）。",
      ...admin,
      request: { params: IdParam },
      responses: { 200: json(MessageSchema, "已删除"), 400: errors[400], ...base, 404: errors[404], 409: errors[409] },
    }),
    async (c) => {
      const db = c.var.db;
      const actor = c.var.auth.user;
      const u = await targetUser(db, c.req.valid("param").id);
      // 409, not 400: the request is well-formed; it conflicts with who is asking (api-contract.md 409 covers the admin rules).
      if (u.id === actor.id) throw new ApiError("self_delete", "不能删除自己的账号");
      const where = and(eq(users.id, u.id), keepsAnActiveAdmin(u.id));
      const lastAdmin = () => new ApiError("last_admin", "不能删除最后一个启用的管理员");
      // Checked before anything is destroyed; checked again atomically in the final delete.
      if (!(await db.select({ id: users.id }).from(users).where(where).get())) throw lastAdmin();

      await shutOut(c.env, u.id);
      const cancelled = await stopUserTasks(c.env, db, u.id);
      // Each task object's storage has to go explicitly: the D1 cascade cannot reach Durable Objects.
      const owned = await db.select({ id: tasks.id }).from(tasks).where(eq(tasks.user_id, u.id)).all();
      for (const t of owned) await deleteTask(c.env, db, t.id, true);

      const [, deleted] = await db.batch([
        auditStatement(
          db,
          actor,
          { action: "user.delete", targetType: "user", targetId: u.id, details: { username: u.username, email: u.email, role: u.role, tasks_deleted: owned.length, tasks_cancelled: cancelled.length } },
          rowMatches(where),
        ),
        db.delete(users).where(where).returning({ id: users.id }),
      ]);
      if (deleted.length === 0) throw lastAdmin();
      return c.json({ message: "用户已删除" }, 200);
    },
  );
}
