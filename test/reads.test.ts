import { describe, expect, it } from "vitest";
import { api, registerUser } from "./helpers/api";
import { userWithAccount } from "./helpers/drive";
import { installSimulator, useFutureClock } from "./helpers/sim";

// An authenticated read costs one D1 round trip (the session check rides in the route's own batch): the
// database sits in one region, and every sequential trip crosses the world for a student far from it.
// Reads go through a D1 session whose bookmark the client hands back (a replica never older than one's
// own write).

useFutureClock();

const trips = (r: { headers: Headers }) => Number(r.headers.get("X-D1-Round-Trips"));

describe("authenticated reads", () => {
  it("take one D1 round trip each: task list, task detail, logs, config, profile, me", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("reads");
    const account = await userWithAccount(sim, token, [{ name: "c", teacher: "t", chapters: [{ title: "1", tabs: [[{ type: "document", name: "d.pdf" }]] }] }]);
    const id = (await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } })).body.id as number;
    for (const path of ["/api/tasks", `/api/tasks/${id}`, `/api/tasks/${id}/logs`, "/api/user/config", "/api/user/profile", "/api/auth/me"]) {
      const r = await api("GET", path, { token });
      expect(r.status, path).toBe(200);
      expect(trips(r), path).toBe(1);
    }
  });

  it("still refuse a revoked token, and never answer for another user's task", async () => {
    const { token } = await registerUser("reads");
    const other = await registerUser("reads");
    expect((await api("GET", "/api/tasks/1", { token: other.token })).status).toBe(404);
    await api("POST", "/api/auth/logout", { token });
    for (const path of ["/api/tasks", "/api/tasks/1", "/api/tasks/1/logs", "/api/user/config", "/api/user/profile"]) {
      expect(await api("GET", path, { token }), path).toMatchObject({ status: 401, body: { code: "token_revoked" } });
    }
  });

  it("hand the client a D1 bookmark, and take it back", async () => {
    const { token } = await registerUser("reads");
    const write = await api("PUT", "/api/user/config", { token, body: { speed: 1.4 } });
    const bookmark = write.headers.get("X-D1-Bookmark");
    expect(bookmark).toBeTruthy();
    const read = await api("GET", "/api/user/config", { token, headers: { "X-D1-Bookmark": bookmark! } });
    expect(read).toMatchObject({ status: 200, body: { speed: 1.4 } });
    expect(read.headers.get("X-D1-Bookmark")).toBeTruthy();
  });
});

describe("task detail logs", () => {
  it("carry the newest 50 lines by default; older pages come from /logs with before_id", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("logs");
    const account = await userWithAccount(sim, token, [{ name: "c", teacher: "t", chapters: [{ title: "1", tabs: [[{ type: "document", name: "d.pdf" }]] }] }]);
    const id = (await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } })).body.id as number;
    // Start and pause it repeatedly: each transition writes one line.
    for (let i = 0; i < 30; i++) {
      await api("POST", `/api/tasks/${id}/${i === 0 ? "start" : "resume"}`, { token });
      await api("POST", `/api/tasks/${id}/pause`, { token });
    }
    const detail = await api("GET", `/api/tasks/${id}`, { token });
    expect(detail.body.logs).toHaveLength(50);
    const all = (await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { id: number }[];
    expect(all.length).toBe(60);
    expect(detail.body.logs.map((l: { id: number }) => l.id)).toEqual(all.slice(-50).map((l) => l.id));
    const earlier = (await api("GET", `/api/tasks/${id}/logs?before_id=${detail.body.logs[0].id}&limit=500`, { token })).body as { id: number }[];
    expect(earlier.map((l) => l.id)).toEqual(all.slice(0, 10).map((l) => l.id));
    expect((await api("GET", `/api/tasks/${id}?logs_limit=0`, { token })).body.logs).toEqual([]);
    await api("POST", `/api/tasks/${id}/cancel`, { token });
  });
});
