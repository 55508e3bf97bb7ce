import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { passwordResets, users } from "../db/schema";
import { isoNow } from "../../shared/clock";
import { revokeUserTokens } from "./tokens";

/**
 * Stores a user's new password hash (a reset or a change) and ends what the old password opened: every
 * outstanding reset token (a second emailed link, perhaps read by someone else, must not undo the change)
 * and every session token but `keepJti`. The hash and the reset tokens change in one batch.
 */
export async function replacePassword(env: Env, userId: number, passwordHash: string, keepJti?: string): Promise<void> {
  const db = getDb(env);
  const now = isoNow();
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    db.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
  ]);
  await revokeUserTokens(env, userId, "password_changed", keepJti);
}
