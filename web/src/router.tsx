/**
 * Routes. Every page and both layouts are their own chunks (React.lazy): the first load carries only
 * React, the router, the query cache and antd's theme (issue 7 budget: ≤ 300 KB gzip initial JS).
 */
import { lazy, type ComponentType } from "react";
import { createBrowserRouter } from "react-router";
import { RouteError } from "./layout/RouteError";

function page(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return <Page />;
}

export const router = createBrowserRouter([
  {
    element: page(() => import("./layout/AuthLayout")),
    errorElement: <RouteError />,
    children: [
      { path: "/login", element: page(() => import("./pages/Login")) },
      { path: "/register", element: page(() => import("./pages/Register")) },
      { path: "/forgot-password", element: page(() => import("./pages/ForgotPassword")) },
      { path: "/reset-password", element: page(() => import("./pages/ResetPassword")) },
    ],
  },
  {
    path: "/",
    element: page(() => import("./layout/AppLayout")),
    errorElement: <RouteError />,
    children: [
      { index: true, element: page(() => import("./pages/Overview")) },
      { path: "settings", element: page(() => import("./pages/Settings")) },
      { path: "relay", element: page(() => import("./pages/Relay")) },
      { path: "courses", element: page(() => import("./pages/Courses")) },
      { path: "tasks", element: page(() => import("./pages/Tasks")) },
      { path: "tasks/:id", element: page(() => import("./pages/TaskDetail")) },
      { path: "profile", element: page(() => import("./pages/Profile")) },
      {
        path: "admin",
        element: page(() => import("./layout/RequireAdmin")),
        children: [
          { index: true, element: page(() => import("./pages/admin/AdminOverview")) },
          { path: "users", element: page(() => import("./pages/admin/AdminUsers")) },
          { path: "users/:id", element: page(() => import("./pages/admin/AdminUserDetail")) },
          { path: "tasks", element: page(() => import("./pages/admin/AdminTasks")) },
          { path: "statistics", element: page(() => import("./pages/admin/AdminStatistics")) },
          { path: "audit", element: page(() => import("./pages/admin/AdminAudit")) },
        ],
      },
      { path: "*", element: page(() => import("./pages/NotFound")) },
    ],
  },
]);
