/** Query keys and the queries several pages share. */
import type { LeftForUser, TaskLive, TaskLogLine } from "@shared/live";
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api, tokenStore, unwrap, type Res } from "./client";

export type User = Res<"/api/auth/me", "get">;
export type LeftItem = LeftForUser;
export type LogLine = TaskLogLine;
type Detail = Res<"/api/tasks/{id}", "get">;
export type Task = Omit<Detail, "left_for_user" | "logs"> & { left_for_user: LeftItem[]; logs: LogLine[] };
export type AdminTask = Task & { username: string };
/** A list row; live pushes (`task_update`) merge the live fields into it while it is on screen. */
export type TaskRow = Res<"/api/tasks", "get">["items"][number] & Partial<TaskLive>;
export type TaskPage = Omit<Res<"/api/tasks", "get">, "items"> & { items: TaskRow[] };
export type Course = Res<"/api/courses/list", "get">[number];
/** The user's language as the server stores it, for mails and notifications. */
export type Language = Res<"/api/user/config", "get">["language"];

export const keys = {
  me: ["me"] as const,
  config: ["config"] as const,
  profile: ["profile"] as const,
  courses: ["courses"] as const,
  tasks: ["tasks"] as const,
  taskList: (page: number, pageSize: number, status: string | undefined) => ["tasks", "list", page, pageSize, status ?? "all"] as const,
  task: (id: number) => ["task", id] as const,
  taskNotifications: (id: number) => ["task", id, "notifications"] as const,
  notifications: ["notifications"] as const,
  admin: ["admin"] as const,
  adminTask: (id: number) => ["admin", "task", id] as const,
  relays: ["relays"] as const,
  limits: ["limits"] as const,
};

/** A task's page (the owner's): its state, live fields and newest log lines. */
export const taskQuery = (id: number) => ({
  queryKey: keys.task(id),
  queryFn: () => unwrap(api.GET("/api/tasks/{id}", { params: { path: { id } } })) as Promise<Task>,
});

export const meQuery = {
  queryKey: keys.me,
  queryFn: () => unwrap(api.GET("/api/auth/me")),
  staleTime: 60_000,
};

export function useMe() {
  return useQuery({ ...meQuery, enabled: tokenStore.get() !== null });
}

export function useTaskList(page: number, pageSize: number, status?: TaskRow["status"]) {
  return useQuery({
    queryKey: keys.taskList(page, pageSize, status),
    queryFn: (): Promise<TaskPage> => unwrap(api.GET("/api/tasks", { params: { query: { page, page_size: pageSize, status } } })),
    placeholderData: (prev) => prev,
  });
}

/** The user's Chaoxing courses with progress: each load costs Chaoxing calls, so it is kept for minutes. */
export const coursesQuery = {
  queryKey: keys.courses,
  queryFn: () => unwrap(api.GET("/api/courses/list")),
  staleTime: 5 * 60_000,
};

export function useCourses() {
  return useQuery(coursesQuery);
}

/**
 * A task completed: its courses' progress moved. Refetch the list (now, if it is on screen); the server
 * dropped its cached progress of those courses when the task completed, so no `refresh=true` is needed.
 */
export function coursesMoved(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: keys.courses });
}

export const configQuery = { queryKey: keys.config, queryFn: () => unwrap(api.GET("/api/user/config")) };
export const profileQuery = { queryKey: keys.profile, queryFn: () => unwrap(api.GET("/api/user/profile")) };

export function useConfig() {
  return useQuery(configQuery);
}

export function useProfile() {
  return useQuery(profileQuery);
}

export type AdminStatistics = Res<"/api/admin/statistics", "get">;
export type AdminTaskRow = Res<"/api/admin/tasks", "get">["items"][number] & Partial<TaskLive>;
type AdminTaskPage = Omit<Res<"/api/admin/tasks", "get">, "items"> & { items: AdminTaskRow[] };
export type AdminUserRow = Res<"/api/admin/users", "get">["items"][number];

export function useAdminStatistics() {
  return useQuery({ queryKey: [...keys.admin, "statistics"], queryFn: () => unwrap(api.GET("/api/admin/statistics")), refetchInterval: 30_000 });
}

export function useAdminTasks(page: number, status?: TaskRow["status"], userId?: number) {
  return useQuery({
    queryKey: [...keys.admin, "tasks", page, status ?? "all", userId ?? 0],
    queryFn: (): Promise<AdminTaskPage> => unwrap(api.GET("/api/admin/tasks", { params: { query: { page, page_size: 20, status, user_id: userId } } })),
    placeholderData: (prev) => prev,
  });
}

export type RelayOverview = Res<"/api/relays", "get">;

export const relaysQuery = { queryKey: keys.relays, queryFn: () => unwrap(api.GET("/api/relays")) };

/** The user's relays and egress choice; polled, since agents come and go on their own. */
export function useRelays() {
  return useQuery({ ...relaysQuery, refetchInterval: 10_000 });
}

export const notificationsQuery = { queryKey: keys.notifications, queryFn: () => unwrap(api.GET("/api/user/notifications")) };
