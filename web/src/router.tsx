/**
 * Routes. Every page and both layouts are their own chunks (React.lazy): the first load carries only
 * React, the router, the query cache and antd's theme (budget ≤ 300 KB gzip initial JS for a phone on a slow
 * line: docs/benchmarks.md "The dashboard on a phone on a slow line").
 * After the first page has loaded, the other chunks (and the parts pages load when needed) are fetched in
 * the background (`prefetchPages`), so a page opened later while offline still renders and says "offline"
 * itself instead of failing to load.
 */
import { lazy, type ComponentType } from "react";
import { createBrowserRouter } from "react-router";
import { RouteError } from "./layout/RouteError";

type Load = () => Promise<{ default: ComponentType }>;

export const chunks = {
  auth: () => import("./layout/AuthLayout"),
  app: () => import("./layout/AppLayout"),
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

const adminChunks = {
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

function page(load: Load) {
  const Page = lazy(load);
  return <Page />;
}

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

export const router = createBrowserRouter([
  {
    element: page(chunks.auth),
    errorElement: <RouteError />,
    children: [
      { path: "/login", element: page(chunks.login) },
      { path: "/register", element: page(chunks.register) },
      { path: "/forgot-password", element: page(chunks.forgot) },
      { path: "/reset-password", element: page(chunks.reset) },
      { path: "/verify-email", element: page(chunks.verify) },
    ],
  },
  {
    path: "/",
    element: page(chunks.app),
    errorElement: <RouteError />,
    children: [
      { index: true, element: page(chunks.overview) },
      { path: "settings", element: page(chunks.settings) },
      { path: "relay", element: page(chunks.relay) },
      { path: "courses", element: page(chunks.courses) },
      { path: "tasks", element: page(chunks.tasks) },
      { path: "tasks/:id", element: page(chunks.task) },
      { path: "profile", element: page(chunks.profile) },
      {
        path: "admin",
        element: page(adminChunks.requireAdmin),
        children: [
          { index: true, element: page(adminChunks.overview) },
          { path: "users", element: page(adminChunks.users) },
          { path: "users/:id", element: page(adminChunks.user) },
          { path: "tasks", element: page(adminChunks.tasks) },
          { path: "tasks/:id", element: page(adminChunks.task) },
          { path: "statistics", element: page(adminChunks.statistics) },
          { path: "audit", element: page(adminChunks.audit) },
          { path: "diagnostics", element: page(adminChunks.diagnostics) },
        ],
      },
      { path: "*", element: page(chunks.notFound) },
    ],
  },
]);
