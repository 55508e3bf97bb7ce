import { createSimulator } from "./app";

/** The simulator on its own (`wrangler dev -c wrangler.sim.toml`): one in-memory instance per isolate. */
const sim = createSimulator();

export default {
  fetch: (req: Request) => sim.app.fetch(req),
} satisfies ExportedHandler;
