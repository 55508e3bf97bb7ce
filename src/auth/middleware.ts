import { createMiddleware } from "hono/factory";
import { config } from "../config";
import { getDb } from "../db/client";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";
import { authenticate } from "./tokens";

export function bearerToken(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1]! : null;
}

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("Authorization"));
  if (!token) {
    c.header("WWW-Authenticate", "Bearer");
    throw new ApiError("unauthorized", "未认证");
  }
  c.set("auth", await authenticate(getDb(c.env), config(c.env), token));
  await next();
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.auth.user.role !== "admin") throw new ApiError("forbidden", "权限不足");
  await next();
});

/** Route middleware for the admin API: authenticated, then admin. */
export const adminOnly = [requireAuth, requireAdmin];
