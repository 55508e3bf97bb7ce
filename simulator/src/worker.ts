import { createSimulator } from "./app";

/** The simulator on its own (`npm run sim`: `wrangler dev -c simulator/wrangler.toml`): one in-memory instance per isolate. */
const sim = createSimulator();

export default {
  fetch: (req: Request) => sim.app.fetch(req),
} satisfies ExportedHandler;
