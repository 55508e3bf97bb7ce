// The relay agent's own tests: plain Node (the agent runs on the student's machine, not in workerd), real
// sockets on 127.0.0.1. A project of the root vitest.config.ts, so `npm test` runs them with the workerd
// suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: import.meta.dirname,
  test: {
    name: "relay-agent",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
