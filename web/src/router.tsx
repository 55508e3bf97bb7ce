/**
 * Routes. Every page and both layouts are their own chunks (React.lazy): the first load carries only
 * React, the router, the query cache and antd's theme (budget ≤ 300 KB gzip initial JS for a phone on a slow
 * line: docs/benchmarks.md "The dashboard on a phone on a slow line").
 * After the first page has loaded, the other chunks (and the parts pages load when needed) are fetched in
 * the background (`prefetchPages` in chunks.ts), so a page opened later while offline still renders and says
 * "offline" itself instead of failing to load.
 */
import { lazy } from "react";
import { createBrowserRouter } from "react-router";
import { adminChunks, chunks, type Load } from "./chunks";
import { RouteError } from "./layout/RouteError";

/** The app layout's chunk: here, not in chunks.ts, because the layout itself imports that list to prefetch it. */
export const appLayout: Load = () => import("./layout/AppLayout");

function page(load: Load) {
  const Page = lazy(load);
  return <Page />;
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
    element: page(appLayout),
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
