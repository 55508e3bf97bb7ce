/** Routes. Every page is its own chunk (React.lazy): the first load carries only the shell. */
import { lazy, type ComponentType } from "react";
import { createBrowserRouter } from "react-router";
import { AppLayout } from "./layout/AppLayout";
import { AuthLayout } from "./layout/AuthLayout";
import { RequireAdmin } from "./layout/RequireAdmin";

function page(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return <Page />;
}

export const router = createBrowserRouter([
  {
    element: <AuthLayout />,
    children: [
      { path: "/login", element: page(() => import("./pages/Login")) },
      { path: "/register", element: page(() => import("./pages/Register")) },
      { path: "/forgot-password", element: page(() => import("./pages/ForgotPassword")) },
      { path: "/reset-password", element: page(() => import("./pages/ResetPassword")) },
    ],
  },
  {
    path: "/",
    element: <AppLayout />,
    children: [
      { index: true, element: page(() => import("./pages/Overview")) },
      { path: "settings", element: page(() => import("./pages/Settings")) },
      { path: "courses", element: page(() => import("./pages/Courses")) },
      { path: "tasks", element: page(() => import("./pages/Tasks")) },
      { path: "tasks/:id", element: page(() => import("./pages/TaskDetail")) },
      { path: "profile", element: page(() => import("./pages/Profile")) },
      {
        path: "admin",
        element: <RequireAdmin />,
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
