import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { userConfigs } from "../db/schema";
import { isoNow } from "../../shared/clock";

export type ConfigRow = typeof userConfigs.$inferSelect;

/** The user's config row, created with defaults on first use. */
export async function loadConfig(db: Db, userId: number): Promise<ConfigRow> {
  const row = await db.select().from(userConfigs).where(eq(userConfigs.userId, userId)).get();
  if (row) return row;
  return db.insert(userConfigs).values({ userId, updatedAt: isoNow() }).onConflictDoNothing().returning().get()
    ?? (await db.select().from(userConfigs).where(eq(userConfigs.userId, userId)).get())!;
}
