import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = import.meta.dirname;

/**
 * web/dist is built, not committed, and the workers pool refuses to start without the assets directory;
 * the tests also read the Swagger UI files from it. A fresh clone builds it here, so `npm ci && npm test`
 * works as the README promises.
 */
function ensureAssets(): void {
  const needed = ["swagger-ui-bundle.js", "swagger-init.js"].map((f) => path.join(root, "web", "dist", "swagger-ui-dist", f));
  if (needed.every((f) => existsSync(f))) return;
  console.log("web/dist is missing: building the assets first (npm run build)");
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
}

/**
 * The suite proper: workerd, the worker's bindings, D1 migrations applied. bench/vitest.config.ts reuses it, and
 * so do the simulator's own tests (simulator/test): they drive the product's client against it in one isolate.
 */
export async function workerdProject(name = "workerd", include = ["test/**/*.test.ts"]): Promise<TestProjectInlineConfiguration> {
  ensureAssets();
  const migrations = await readD1Migrations(path.join(root, "migrations"));
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
            // The suite drives Chaoxing through the in-process simulator (test/helpers/sim.ts), so `direct` is
            // allowed here; relay tests choose `relay` per user. The accounts' default limits are neutral
            // (all day, the whole day's media, no break, no video gap), so older tests depend neither on the
            // time of day nor on the production defaults; the limit tests set their own.
            EGRESS_DIRECT_ALLOWED: "true",
            LIMIT_STUDY_WINDOW: "00:00-24:00",
            LIMIT_DAILY_CAP_MINUTES: "1440",
            LIMIT_DAILY_CAP_MAX_MINUTES: "1440",
            LIMIT_VIDEO_GAP_SECONDS: "0",
            LIMIT_VIDEO_GAP_JITTER_SECONDS: "0",
            LIMIT_BREAK_AFTER_MINUTES: "1440",
          },
        },
      }),
    ],
    test: {
      name,
      include,
      exclude: ["test/node/**", "test/runtime/**"],
      setupFiles: ["./test/setup.ts"],
      // Engine tests drive hundreds of alarms; on a loaded 2-core machine that can take a while.
      testTimeout: 60_000,
    },
  };
}

/**
 * Five projects, one `npm test`: the workerd suite, the simulator's tests (simulator/test, in workerd too), what
 * only runs in Node (test/node: the Redocly lint of the OpenAPI document), the app started as `npm run dev` starts
 * it (test/runtime: what the real runtime logs and how its HTTP server treats a connection, which the pool does not
 * show), and the relay agent's own tests in plain Node (relay/vitest.config.ts).
 */
export default defineConfig(async () => ({
  test: {
    projects: [
      await workerdProject(),
      await workerdProject("simulator", ["simulator/test/**/*.test.ts"]),
      { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" } },
      { test: { name: "runtime", include: ["test/runtime/**/*.test.ts"], environment: "node", testTimeout: 120_000 } },
      "./relay/vitest.config.ts",
    ],
  },
}));
