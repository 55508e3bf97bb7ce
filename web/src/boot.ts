/**
 * What the first screen needs, asked for at once and in parallel: the route's page chunks and its data.
 * Left to React, a phone waits for each in turn (the layout's chunk, then the page's, then its data),
 * a round trip of half a second each on 3G.
 */
import type { QueryClient } from "@tanstack/react-query";
import { tokenStore } from "./api/client";
import { configQuery, coursesQuery, meQuery, profileQuery, taskQuery } from "./api/queries";
import { chunks } from "./router";

const AUTH_PAGES: Record<string, () => Promise<unknown>> = {
  "/login": chunks.login,
  "/register": chunks.register,
  "/forgot-password": chunks.forgot,
  "/reset-password": chunks.reset,
  "/verify-email": chunks.verify,
};

export function startRoute(qc: QueryClient, path: string): void {
  const auth = AUTH_PAGES[path];
  if (auth) {
    void chunks.auth();
    void auth();
    return;
  }
  if (tokenStore.get() === null) return;
  void chunks.app();
  void qc.prefetchQuery(meQuery);
  const task = /^\/tasks\/(\d+)$/.exec(path);
  if (task) {
    void chunks.task();
    void qc.prefetchQuery(taskQuery(Number(task[1])));
  } else if (path === "/courses") {
    void chunks.courses();
    void qc.prefetchQuery(coursesQuery);
  } else if (path === "/") {
    void chunks.overview();
    void qc.prefetchQuery(configQuery);
    void qc.prefetchQuery(profileQuery);
  } else if (path === "/tasks") void chunks.tasks();
  else if (path === "/settings") void chunks.settings();
}

/**
 * The service worker (public/sw.js) that opens the app again from this phone's copy. Registered once
 * the first page is up (its install fetches the app's files: not while the first screen needs the line);
 * not under `vite` (its files are not the build's).
 */
export function keepAppCopy(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}
