import { OpenAPIHono } from "@hono/zod-openapi";
import { clock } from "./lib/clock";

export function createApp() {
  const app = new OpenAPIHono<{ Bindings: Env }>();
  app.get("/api/health", (c) => c.json({ ok: true, now: clock.now() }));
  app.get("/api/probe", async (c) => {
    const stub = c.env.TASKS.getByName("probe");
    return c.json({ worker: clock.now(), dobj: await stub.now() });
  });
  return app;
}
