/** Signing in and out: the token, the cached user and the live socket move together. */
import type { QueryClient } from "@tanstack/react-query";
import { api, tokenStore } from "./api/client";
import { keys, type User } from "./api/queries";
import { live } from "./live/sync";

export function signIn(qc: QueryClient, token: string, user: User) {
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
}
