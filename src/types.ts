import type { AuthContext, Claims } from "./auth/tokens";
import type { Db } from "./db/client";

export interface AppEnv {
  Bindings: Env;
  /** `db` reads through the request's D1 session (src/db/session.ts); `claims` are the verified token's, before its session row is checked. */
  Variables: { auth: AuthContext; claims: Claims; db: Db; requestId: string };
}
