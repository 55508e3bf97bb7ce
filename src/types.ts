import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthContext, Claims } from "./auth/tokens";
import type { Db } from "./db/client";

export interface AppEnv {
  Bindings: Env;
  /** `db` reads through the request's D1 session (src/db/session.ts); `claims` are the verified token's, before its session row is checked. */
  Variables: { auth: AuthContext; claims: Claims; db: Db; requestId: string };
}

/** The API router every route module registers on (src/app.ts builds it); a type here, below the routes, so they need not import the app. */
export type App = OpenAPIHono<AppEnv>;
