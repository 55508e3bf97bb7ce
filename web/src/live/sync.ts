/**
 * Binds the live socket to the query cache: pushed task state and log lines patch the cached task (the
 * owner's and the admin's view) and lists in place (no refetch per tick), a reconnect refetches
 * everything task-shaped, and a task that completes refreshes the course progress it moved.
 */
import type { TaskLive } from "@shared/live";
import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { tokenStore } from "../api/client";
import { coursesMoved, keys, type LogLine, type Task } from "../api/queries";
import { LiveSocket } from "./socket";

export const live = new LiveSocket(tokenStore.get);

// Enough for a long session in the browser; the full log stays on the server and in the export.
const MAX_LOG_LINES = 2000;

type Row = { id: number };
type Cached = Row[] | { items: Row[] } | undefined;

/** Task lists are cached either as pages (`{items}`) or plain arrays (keys under "tasks" only: user rows have ids too). */
function patchLists(qc: QueryClient, taskId: number, data: TaskLive) {
  const patch = (rows: Row[]) => rows.map((t) => (t.id === taskId ? { ...t, ...data } : t));
  for (const prefix of [keys.tasks, [...keys.admin, "tasks"]]) {
    qc.setQueriesData<Cached>({ queryKey: prefix }, (c) => {
      if (Array.isArray(c)) return patch(c);
      if (c && typeof c === "object" && Array.isArray(c.items)) return { ...c, items: patch(c.items) };
      return c;
    });
  }
}

/** The same task is cached once for its owner's page and once for the admin's. */
const detailKeys = (id: number) => [keys.task(id), keys.adminTask(id)];

export function bindLive(qc: QueryClient): () => void {
  // Last status pushed per task: a `completed` that is news (not the state resent on subscribe) moved courses.
  const lastStatus = new Map<number, string>();
  const offMsg = live.onMessage((m) => {
    if (m.type === "task_update") {
      const before = lastStatus.get(m.task_id) ?? qc.getQueryData<Task>(keys.task(m.task_id))?.status;
      lastStatus.set(m.task_id, m.data.status);
      // `data.task_id` is for the origin's frontend; the cached task and rows keep the API's own shape.
      const { task_id: _, ...data } = m.data;
      for (const key of detailKeys(m.task_id)) qc.setQueryData<Task>(key, (old) => (old ? { ...old, ...data } : old));
      patchLists(qc, m.task_id, data);
      if (before !== undefined && before !== m.data.status) {
        // A status change moves the task between filtered lists and changes the statistics.
        void qc.invalidateQueries({ queryKey: keys.tasks });
        void qc.invalidateQueries({ queryKey: keys.profile });
        if (m.data.status === "completed") coursesMoved(qc);
      }
    } else if (m.type === "task_log") {
      for (const key of detailKeys(m.task_id)) {
        qc.setQueryData<Task>(key, (old) => {
          if (!old) return old;
          const last = old.logs.at(-1);
          if (last && last.id >= m.log.id) return old;
          const line: LogLine & { task_id: number } = { ...m.log, task_id: m.task_id };
          return { ...old, logs: [...old.logs, line].slice(-MAX_LOG_LINES) };
        });
      }
    } else if (m.type === "notification" && m.event === "completed") {
      // Completion is also announced here; the page may not have had the task's state to compare.
      coursesMoved(qc);
    }
  });
  const offResync = live.onResync(() => {
    void qc.invalidateQueries({ queryKey: keys.tasks });
    void qc.invalidateQueries({ queryKey: ["task"] });
    void qc.invalidateQueries({ queryKey: keys.admin });
  });
  return () => {
    offMsg();
    offResync();
  };
}

export function useLiveState() {
  return useSyncExternalStore(live.onState, live.getState);
}

/** Keeps the given tasks subscribed while the component is mounted. */
export function useLiveTasks(ids: number[]) {
  const key = [...new Set(ids)].sort((a, b) => a - b).join(",");
  useEffect(() => {
    if (!key) return;
    const offs = key.split(",").map((id) => live.subscribe(Number(id)));
    return () => offs.forEach((off) => off());
  }, [key]);
}
