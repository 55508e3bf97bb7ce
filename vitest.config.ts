import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import path from "node:path";

/** The suite proper: workerd, the worker's bindings, D1 migrations applied. bench/vitest.config.ts reuses it. */
export async function workerdProject(): Promise<TestProjectInlineConfiguration> {
  const migrations = await readD1Migrations(path.join(__dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
            PASSWORD_PEPPER: "test-pepper",
            CX_ENCRYPTION_KEY: "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vayE=",
            // Issue 14: the suite drives Chaoxing through the in-process simulator (test/helpers/sim.ts), so
            // `direct` is allowed here; relay tests choose `relay` per user. The accounts' default limits
            // are neutral (all day, no video gap), so older tests do not depend on the time of day; the
            // limit tests set their own.
            EGRESS_DIRECT_ALLOWED: "true",
            LIMIT_STUDY_WINDOW: "00:00-24:00",
            LIMIT_DAILY_CAP_MINUTES: "1440",
            LIMIT_VIDEO_GAP_SECONDS: "0",
            LIMIT_VIDEO_GAP_JITTER_SECONDS: "0",
          },
        },
      }),
    ],
    test: {
      name: "workerd",
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      // Engine tests drive hundreds of alarms; on a loaded 2-core machine that can take a while.
      testTimeout: 60_000,
    },
  };
}

/** Two projects: the workerd suite, and the relay agent's own tests in plain Node (relay/vitest.config.ts). */
export default defineConfig(async () => ({
  test: { projects: [await workerdProject(), "./relay/vitest.config.ts"] },
}));
