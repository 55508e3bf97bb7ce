// The workerd half of `npm run bench` (bench/run.mjs runs it): the same pool, bindings and setup as the
// test suite's workerd project (vitest.config.ts), but only bench/**/*.bench.test.ts, so `npm test` never
// runs a benchmark and a benchmark never fails CI.
import path from "node:path";
import { defineConfig } from "vitest/config";
import { workerdProject } from "../vitest.config";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig(async () => {
  const project = await workerdProject();
  return {
    ...project,
    root,
    test: {
      ...project.test,
      include: ["bench/**/*.bench.test.ts"],
      setupFiles: [path.join(root, "test/setup.ts")],
      // A whole realistic course is thousands of alarms on one core.
      testTimeout: 300_000,
    },
  };
});
