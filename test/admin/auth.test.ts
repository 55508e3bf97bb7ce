import { describe, expect, it } from "vitest";
import { api, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { ADMIN_ROUTES, auditRows } from "./fixtures";

authMatrix(ADMIN_ROUTES);

describe("admin routes refuse non-admins", () => {
  it.each(ADMIN_ROUTES)("$method $path → 403 权限不足, and nothing is recorded", async (route) => {
    const { token, user } = await registerUser("plain");
    const r = await api(route.method, route.path, { token, body: route.body });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ detail: "权限不足", code: "forbidden" });
    expect(await auditRows("admin_id = ?", user.id)).toEqual([]);
  });
});
