import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = import.meta.dirname;

export default defineConfig(async () => {
  // web/dist is built, not committed, and the workers pool refuses to start without the assets
  // directory; the tests also read the Swagger UI files from it. A fresh clone builds it here, so
  // `npm ci && npm test` works (issue 11 row 16).
  const needed = ["swagger-ui-bundle.js", "swagger-init.js"].map((f) => path.join(root, "web", "dist", "swagger-ui-dist", f));
  if (!needed.every((f) => existsSync(f))) {
    console.log("web/dist is missing: building the assets first (npm run build)");
    execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  }
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    test: {
      // Two projects, one `npm test`: the worker's tests inside workerd, and test/node/ for what only
      // runs in Node (the Redocly lint of the OpenAPI document).
      projects: [
        {
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
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
            setupFiles: ["./test/setup.ts"],
            // Engine tests drive hundreds of alarms; on a loaded 2-core machine that can take a while.
            testTimeout: 60_000,
          },
        },
        {
          test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
        },
      ],
    },
  };
});
