import { eq, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";

/** Username or email, case-insensitively (the login form's username field may hold the email). */
export function findByLogin(db: Db, login: string) {
  const l = login.toLowerCase();
  return db
    .select()
    .from(users)
    .where(or(sql`lower(${users.username}) = ${l}`, sql`lower(${users.email}) = ${l}`))
    .get();
}

export function findByEmail(db: Db, email: string) {
  return db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).get();
}

export function findById(db: Db, id: number) {
  return db.select().from(users).where(eq(users.id, id)).get();
}
