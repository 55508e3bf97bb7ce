import { describe, expect, it } from "vitest";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { driveUntil, startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { auditRows } from "./fixtures";

useFutureClock();

authMatrix([{ method: "GET", path: "/api/admin/engine" }]);

describe("GET /api/admin/engine", () => {
  it("refuses a non-admin with 403 and records nothing", async () => {
    const { token, user } = await registerUser("plain");
    const r = await api("GET", "/api/admin/engine", { token });
    expect(r).toMatchObject({ status: 403, body: { detail: "权限不足", code: "forbidden" } });
    expect(await auditRows("admin_id = ?", user.id)).toEqual([]);
  });

  it("counts running tasks and summarises their objects' alarm lateness; the read is audited", async () => {
    const sim = installSimulator();
    const admin = await registerAdmin();
    const owner = await registerUser("engine");
    const account = await userWithAccount(sim, owner.token, [videoCourse(600)]);
    const id = await startTask(owner.token, [account.courses[0]!.courseId]);
    // Several steps ran on alarms, so the object holds lateness samples.
    await driveUntil(id, (l) => l.item_current_time > 120);

    const r = await api("GET", "/api/admin/engine", { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body.running).toBeGreaterThanOrEqual(1);
    expect(r.body.sampled).toBeGreaterThanOrEqual(1);
    expect(r.body.samples).toBeGreaterThan(3);
    const { p50, p99, max } = r.body.lateness_ms as { p50: number; p99: number; max: number };
    expect(p50).toBeGreaterThanOrEqual(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(max).toBeGreaterThanOrEqual(p99);
    expect(await auditRows("admin_id = ? AND action = 'statistics.view'", admin.user.id)).toHaveLength(1);
  });
});
