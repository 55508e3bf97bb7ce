import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { bodyLimit, emptyBodyIsNone } from "./lib/request-body";
import { ApiError, errorResponse } from "./lib/errors";
import { securityHeaders } from "./lib/security-headers";
import { apiCors } from "./lib/cors";
import { IGNORED_FIELDS_HEADER, ignoredFields, validationError } from "./lib/validation";
import { errorText, recordError } from "./lib/error-log";
import { registerHealthRoutes } from "./routes/health";
import { registerAuthRoutes } from "./routes/auth";
import { registerVerifyEmailRoutes } from "./routes/verify-email";
import { registerUserRoutes } from "./routes/user";
import { registerCourseRoutes } from "./routes/courses";
import { registerForecastRoutes } from "./routes/forecast";
import { registerTaskRoutes } from "./routes/tasks";
import { registerLiveRoutes } from "./routes/ws";
import { registerAdminRoutes } from "./routes/admin";
import { d1Session } from "./db/session";
import { registerNotificationRoutes } from "./routes/notifications";
import { registerLimitRoutes } from "./routes/limits";
import { registerRelayRoutes } from "./routes/relays";
import { registerQrLoginRoutes } from "./routes/qr-login";
import { applyDocConventions } from "./routes/openapi-conventions";
import type { App, AppEnv } from "./types";

/**
 * Validation failures become our 400 body naming the field (never FastAPI's 422). A body that passed
 * had its unknown fields dropped (zod's default, as pydantic's): they are named in a header.
 */
export function newRouter(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      if (!result.success) throw validationError(result.error);
      // The body as the validator read it (hono caches it; absent when the content type was another).
      const cache = c.req.bodyCache;
      let body: unknown;
      if (result.target === "json" && cache.text !== undefined) body = JSON.parse(await cache.text);
      else if (result.target === "form" && cache.formData !== undefined) body = Object.fromEntries(await cache.formData);
      else return;
      const ignored = ignoredFields(body, result.data);
      if (ignored) c.header(IGNORED_FIELDS_HEADER, ignored);
    },
  });
}

/** The JSON API's bodies are small (the biggest is a task's course list): 256 KB is far above any of them. */
const MAX_BODY_BYTES = 256 * 1024;

const SWAGGER_PAGE = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>chaoxing-edge API</title>
    <link rel="icon" href="/swagger-ui-dist/favicon-32x32.png" />
    <link rel="stylesheet" href="/swagger-ui-dist/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/swagger-ui-dist/swagger-ui-bundle.js"></script>
    <script src="/swagger-ui-dist/swagger-init.js"></script>
  </body>
</html>
`;

export function createApp(): App {
  const app = newRouter();
  // A client's own id is echoed (it ties its logs to ours) only when short and of [A-Za-z0-9_=-]
  // (hono checks the charset); anything else gets a fresh UUID, so a client cannot write what it likes into
  // our logs and answers.
  app.use("*", requestId({ limitLength: 64 }));
  app.use("*", securityHeaders);
  // Before the body limit and the session, so a preflight is answered at once.
  app.use("/api/*", apiCors);
  // Checked before any parsing, from Content-Length or while a body without one streams in, so an oversized
  // body costs no parse (README "Throttles": 256 KB).
  app.use("/api/*", bodyLimit(MAX_BODY_BYTES, () => new ApiError("payload_too_large", `请求体过大（上限 ${MAX_BODY_BYTES / 1024} KB）`)));
  app.use("/api/*", emptyBodyIsNone);
  // Every API and live request reads D1 through a session (read replication; src/db/session.ts).
  app.use("/api/*", d1Session);
  app.use("/ws/*", d1Session);

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    if (err instanceof HTTPException) {
      if (err.status === 415) return errorResponse(c, new ApiError("unsupported_media_type", "不支持的请求体类型"));
      if (err.status < 500) return errorResponse(c, new ApiError("bad_request", `请求错误: ${err.message}`));
    }
    // Details only in the log (and the admin's last errors); the client gets a generic body with the request id to report.
    console.error(`[${c.var.requestId}] unhandled`, err);
    const recorded = recordError(c.env, { source: "api", ref: c.var.requestId, message: `${c.req.method} ${c.req.path}: ${errorText(err)}` });
    try {
      c.executionCtx.waitUntil(recorded);
    } catch {
      // No execution context (the app called directly, as in a test): the promise runs on regardless.
    }
    return c.json({ detail: "服务器内部错误", code: "internal_error", request_id: c.var.requestId }, 500);
  });
  app.notFound((c) => c.json({ detail: "Not Found", code: "not_found" }, 404));

  registerHealthRoutes(app);
  registerAuthRoutes(app);
  registerVerifyEmailRoutes(app);
  registerUserRoutes(app);
  registerQrLoginRoutes(app);
  registerCourseRoutes(app);
  registerForecastRoutes(app);
  registerTaskRoutes(app);
  registerNotificationRoutes(app);
  registerLiveRoutes(app);
  registerAdminRoutes(app);
  // Relays, pairing and egress (Chaoxing blocks data-centre addresses: chaoxing-protocol.md "Where traffic
  // comes from"); the Chaoxing account's safety limits.
  registerRelayRoutes(app);
  registerLimitRoutes(app);

  applyDocConventions(app);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "chaoxing-edge API", version: "2.1.0", description: "超星学习通自动学习平台 API（兼容 v2.1.0 接口文档）" },
    servers: [{ url: "/" }],
  });
  // Swagger UI's files are ours (copied into web/dist/swagger-ui-dist by the build), so the docs render
  // offline, and its start-up is a file too (web/public/swagger-ui-dist/swagger-init.js): no inline
  // script, so the CSP's script-src stays 'self'.
  app.get("/api/docs", (c) => c.html(SWAGGER_PAGE));
  return app;
}
