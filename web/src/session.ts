/** Signing in and out: the token, the cached user and the live socket move together. */
import type { QueryClient } from "@tanstack/react-query";
import { api, tokenStore } from "./api/client";
import { clearCopies } from "./api/lastCopy";
import { keys, type User } from "./api/queries";
import type { MessageKey } from "./i18n";
import { live } from "./live/sync";

export function signIn(qc: QueryClient, token: string, user: User) {
  // Another user may have signed in on this browser before: their last copies go.
  clearCopies();
  tokenStore.set(token);
  qc.setQueryData(keys.me, user);
  live.start();
}

/** Drops local state; `revoke` also revokes the token on the server (not after a 401: it is dead). */
export async function signOut(qc: QueryClient, revoke: boolean) {
  if (revoke && tokenStore.get()) await api.POST("/api/auth/logout").catch(() => undefined);
  tokenStore.clear();
  live.stop();
  qc.clear();
  clearCopies();
}

/**
 * Why a session ended, as the sign-in page says it: from the code of the 401/403 or of the socket's
 * 1008 close (the server closes with the same code). `invalid_token`, `unauthorized` and anything
 * unknown get the general sentence.
 */
const ENDED: Record<string, MessageKey> = {
  token_expired: "session.token_expired",
  token_revoked: "session.token_revoked",
  password_changed: "session.password_changed",
  account_disabled: "session.account_disabled",
};

export const sessionEndedText = (code: string): MessageKey => ENDED[code] ?? "session.ended";
