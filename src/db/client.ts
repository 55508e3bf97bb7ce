import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof getDb>;

/** Drizzle over the database, or over a read-replication session of it (drizzle uses only prepare and batch). */
export function getDb(env: Env | { DB: D1Database | D1DatabaseSession }) {
  return drizzle(env.DB as D1Database, { schema });
}
