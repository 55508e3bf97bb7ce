/**
 * Routes and fields the dashboard uses that the server did not serve when they were written (README "The
 * dashboard"), typed by hand in openapi-typescript's shape so calls to them stay checked. When the server
 * serves them, `npm run api:gen` puts them in schema.d.ts: move each call to `api` and delete it here.
 * Every caller copes with the route or field not being there yet (README "The dashboard").
 */
import createClient from "openapi-fetch";
import { authMiddleware, type ErrorBody, type Res } from "./client";

type Json<T> = { content: { "application/json": T } };
type Reply<T> = { headers: Record<string, unknown> } & Json<T>;
type Op<Path extends { path?: unknown }, Body, Out> = {
  parameters: { query?: never; header?: never; cookie?: never } & Path;
  requestBody?: Json<Body>;
  responses: { 200: Reply<Out>; default: Reply<ErrorBody> };
};
type NoPath = { path?: never };
type TaskId = { path: { id: number } };

export type ActionResult = Res<"/api/tasks/{id}/start", "post">;
export type Language = "zh-CN" | "en";

interface PendingPaths {
  /** Re-reads the items left for the user and clears those finished by hand (README "Honest completion"). */
  "/api/tasks/{id}/recheck": { post: Op<TaskId, Record<string, never>, ActionResult> };
  /** `notopen: "retry"` (the user opened the chapter by hand) joins skip and stop (README "Chapters not open"). */
  "/api/tasks/{id}/resume": { post: Op<TaskId, { notopen?: "skip" | "stop" | "retry" }, ActionResult> };
  /** Tests the typed values without saving them (no body: the saved account). */
  "/api/user/config/test-login": { post: Op<NoPath, { cx_username: string; cx_password?: string }, Res<"/api/user/config/test-login", "post">> };
  /** The user's language for mails and notifications (a 400 until the field exists). */
  "/api/user/config": { put: Op<NoPath, { language: Language }, Res<"/api/user/config", "put">> };
}

export const pendingApi = createClient<PendingPaths>({ baseUrl: "/" });
pendingApi.use(authMiddleware);


