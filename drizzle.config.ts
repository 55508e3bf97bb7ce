import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used: wrangler applies the SQL files to D1 (local or remote).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
