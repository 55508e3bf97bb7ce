// The relay agent's own tests (issue 14): plain Node, real sockets on 127.0.0.1. Part of `npm test`
// (after the workerd suite), with the same runner.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(import.meta.dirname, ".."),
  test: {
    include: ["relay/test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
