/**
 * The last copy of the reads a student opens first (who they are, their courses, the overview, the
 * newest task pages), kept in localStorage: on a phone on a slow line a page shows at once from it and
 * refreshes behind it (each page says how old what it shows is). Cleared when the user signs out; a
 * copy is only ever read back for the user who wrote it.
 */
import type { Query, QueryClient, QueryKey } from "@tanstack/react-query";

const PREFIX = "cx.copy.";
/** Stored records carry a version: a copy of another shape is ignored, never misread. */
const VERSION = 1;
/** Newest task pages kept (each holds up to 200 log lines). */
const MAX_TASKS = 5;
/** A page pushed live is rewritten at most this often. */
const WRITE_EVERY_MS = 3_000;

interface Copy {
  v: number;
  user: string;
  key: QueryKey;
  at: number;
  data: unknown;
}

/** The query keys worth a copy: me, config, courses, profile, the first task-list pages, a task's page. */
function kept(key: QueryKey): boolean {
  const [head, second] = key;
  if (key.length === 1) return head === "me" || head === "config" || head === "courses" || head === "profile";
  if (head === "task") return key.length === 2 && typeof second === "number";
  return head === "tasks" && (second === "running-overview" || (second === "list" && key[2] === 1));
}

const storageKey = (key: QueryKey) => PREFIX + JSON.stringify(key);

/** Whose copies these are: the token's subject, so another user's token never reads them. */
function owner(token: string | null): string | null {
  if (!token) return null;
  try {
    return String(JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub);
  } catch {
    return null;
  }
}

function allCopies(): [string, Copy][] {
  const out: [string, Copy][] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (!k?.startsWith(PREFIX)) continue;
    try {
      out.push([k, JSON.parse(localStorage.getItem(k) ?? "") as Copy]);
    } catch {
      /* unreadable: dropped below */
      out.push([k, { v: 0, user: "", key: [], at: 0, data: null }]);
    }
  }
  return out;
}

export function clearCopies(): void {
  for (const [k] of allCopies()) localStorage.removeItem(k);
}

/** Puts the signed-in user's copies into the cache, dated when they were read (so they count as stale). */
export function restoreCopies(qc: QueryClient, token: string | null): void {
  const user = owner(token);
  for (const [k, c] of allCopies()) {
    if (c.v !== VERSION || !user || c.user !== user) {
      localStorage.removeItem(k);
      continue;
    }
    qc.setQueryData(c.key, c.data, { updatedAt: c.at });
    // A copy is shown, never trusted: whatever shows it reads the server again at once.
    void qc.invalidateQueries({ queryKey: c.key, exact: true, refetchType: "none" });
  }
}

/** Writes a copy of each kept query when it gets new data (throttled per key), for the token's user. */
export function keepCopies(qc: QueryClient, token: () => string | null): () => void {
  const due = new Map<string, ReturnType<typeof setTimeout>>();
  const write = (q: Query) => {
    const user = owner(token());
    if (!user || q.state.data === undefined) return;
    const copy: Copy = { v: VERSION, user, key: q.queryKey, at: q.state.dataUpdatedAt, data: q.state.data };
    try {
      localStorage.setItem(storageKey(q.queryKey), JSON.stringify(copy));
      if (q.queryKey[0] === "task") trimTasks();
    } catch {
      // Storage full or refused (private mode): the page still works, only without a copy.
    }
  };
  return qc.getQueryCache().subscribe((e) => {
    if (e.type !== "updated" || e.action.type !== "success" || !kept(e.query.queryKey)) return;
    const k = storageKey(e.query.queryKey);
    if (due.has(k)) return;
    due.set(
      k,
      setTimeout(() => {
        due.delete(k);
        write(e.query);
      }, localStorage.getItem(k) ? WRITE_EVERY_MS : 0),
    );
  });
}

function trimTasks(): void {
  const tasks = allCopies().filter(([, c]) => c.key[0] === "task").sort((a, b) => b[1].at - a[1].at);
  for (const [k] of tasks.slice(MAX_TASKS)) localStorage.removeItem(k);
}
