import { env } from "cloudflare:workers";
import { isoNow } from "../../shared/clock";

/** Every admin route, with a body where the route takes one (the auth matrix and the 403 check run on each). */
export const ADMIN_ROUTES = [
  { method: "GET", path: "/api/admin/users" },
  { method: "GET", path: "/api/admin/users/1" },
  { method: "PUT", path: "/api/admin/users/1", body: { is_active: true } },
  { method: "DELETE", path: "/api/admin/users/1" },
  { method: "GET", path: "/api/admin/tasks" },
  { method: "GET", path: "/api/admin/tasks/1" },
  { method: "GET", path: "/api/admin/tasks/1/logs" },
  { method: "POST", path: "/api/admin/tasks/1/force-stop" },
  { method: "GET", path: "/api/admin/statistics" },
  { method: "GET", path: "/api/admin/audit" },
];

/** Leaves `adminId` as the only active admin: other admins (from earlier tests in the file) become users. */
export async function soleAdmin(adminId: number): Promise<void> {
  await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'admin' AND id <> ?").bind(adminId).run();
}

/** A task row written straight into D1 (no object): for lists, force-stop of pending, and statistics. */
export async function insertTask(userId: number, v: Record<string, string | number | null> = {}): Promise<number> {
  const now = isoNow();
  const row: Record<string, string | number | null> = { user_id: userId, name: "直接插入", course_ids: '["1"]', created_at: now, updated_at: now, ...v };
  const cols = Object.keys(row);
  const r = await env.DB.prepare(`INSERT INTO tasks (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) RETURNING id`)
    .bind(...Object.values(row))
    .first<{ id: number }>();
  return r!.id;
}

export interface AuditRow {
  admin_id: number;
  admin_username: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
  created_at: string;
}

export async function auditRows(where = "1", ...params: (string | number)[]): Promise<AuditRow[]> {
  const r = await env.DB.prepare(`SELECT * FROM admin_audit WHERE ${where} ORDER BY id`).bind(...params).all<AuditRow>();
  return r.results;
}
