/**
 * The dashboard's chunks (router.tsx): every page and the auth and admin layouts, each loaded on demand.
 * The app layout is not listed: it is the one that prefetches the others once it has loaded, so it lives
 * only in the router (and importing this list does not import it back). Beside them, the parts pages load
 * when needed.
 */
import type { ComponentType } from "react";

export type Load = () => Promise<{ default: ComponentType }>;

export const chunks = {
  auth: () => import("./layout/AuthLayout"),
  login: () => import("./pages/Login"),
  register: () => import("./pages/Register"),
  forgot: () => import("./pages/ForgotPassword"),
  reset: () => import("./pages/ResetPassword"),
  verify: () => import("./pages/VerifyEmail"),
  overview: () => import("./pages/Overview"),
  settings: () => import("./pages/Settings"),
  relay: () => import("./pages/Relay"),
  courses: () => import("./pages/Courses"),
  tasks: () => import("./pages/Tasks"),
  task: () => import("./pages/TaskDetail"),
  profile: () => import("./pages/Profile"),
  notFound: () => import("./pages/NotFound"),
} satisfies Record<string, Load>;

export const adminChunks = {
  requireAdmin: () => import("./layout/RequireAdmin"),
  overview: () => import("./pages/admin/AdminOverview"),
  users: () => import("./pages/admin/AdminUsers"),
  user: () => import("./pages/admin/AdminUserDetail"),
  tasks: () => import("./pages/admin/AdminTasks"),
  task: () => import("./pages/admin/AdminTaskDetail"),
  statistics: () => import("./pages/admin/AdminStatistics"),
  audit: () => import("./pages/admin/AdminAudit"),
  diagnostics: () => import("./pages/admin/AdminDiagnostics"),
} satisfies Record<string, Load>;

/** Parts of pages loaded when needed (the phone's drawer, a task page's lower half, the captcha prompt). */
const PARTS = [
  () => import("./layout/PhoneNav"),
  () => import("./components/TaskViewMore"),
  () => import("./components/TaskNotifications"),
  () => import("./components/CaptchaPrompt"),
];

/**
 * Fetches every page chunk once, one after another (a phone on a slow line keeps its bandwidth for what
 * the user is doing first). A second import() of the same module is the browser's cached module.
 */
export async function prefetchPages(admin: boolean) {
  const loads: Array<() => Promise<unknown>> = [...Object.values(chunks), ...PARTS, ...(admin ? Object.values(adminChunks) : [])];
  for (const load of loads) {
    if (!navigator.onLine) return;
    await load().catch(() => undefined);
  }
}
