import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
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
    const account = await userWithAccount(sim, owner.token, [videoCourse(7200)]);
    const id = await startTask(owner.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 0);
    // The object keeps its last 20 samples: run 20 steps, each exactly 5 s after it was due.
    const stub = env.TASKS.getByName(`task:${id}`);
    for (let i = 0; i < 20; i++) {
      const due = (await runInDurableObject(stub, (_o, state) => state.storage.getAlarm()))!;
      clock.advance(due + 5_000 - clock.now());
      await runDurableObjectAlarm(stub);
    }

    const r = await api("GET", "/api/admin/engine", { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body.running).toBeGreaterThanOrEqual(1);
    expect(r.body.sampled).toBeGreaterThanOrEqual(1);
    expect(r.body.samples).toBeGreaterThanOrEqual(20);
    // Other files' running tasks are not in this file's storage: the figures are this task's own.
    const { p50, p99, max } = r.body.lateness_ms as { p50: number; p99: number; max: number };
    for (const v of [p50, p99, max]) {
      expect(v).toBeGreaterThanOrEqual(5_000);
      expect(v).toBeLessThan(5_500);
    }
    expect(await auditRows("admin_id = ? AND action = 'statistics.view'", admin.user.id)).toHaveLength(1);
  });
});
