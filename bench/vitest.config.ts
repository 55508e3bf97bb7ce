// The workerd half of `npm run bench` (bench/run.mjs runs it): the same pool, bindings and setup as the
// test suite (vitest.config.ts), but only bench/**/*.bench.test.ts, so `npm test` never runs a benchmark
// and a benchmark never fails CI.
import path from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import base from "../vitest.config";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig(async (env) => {
  const resolved = (await (typeof base === "function" ? base(env) : base)) as ViteUserConfig;
  return {
    ...resolved,
    root,
    test: {
      ...resolved.test,
      include: ["bench/**/*.bench.test.ts"],
      setupFiles: [path.join(root, "test/setup.ts")],
      // A whole realistic course is thousands of alarms on one core.
      testTimeout: 300_000,
    },
  };
});
