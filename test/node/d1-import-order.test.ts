import { describe, expect, it } from "vitest";
import { importOrder, statements } from "../../scripts/d1-import-order.mjs";

// A `wrangler d1 export` file writes a table's rows before the tables they reference exist, so importing
// it fails (cloudflare/workers-sdk#5683): docs/operations.md "Restoring" reorders it first.

const EXPORT = `PRAGMA defer_foreign_keys=TRUE;
CREATE TABLE \`tasks\` (
	\`id\` integer PRIMARY KEY,
	\`user_id\` integer NOT NULL,
	FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`)
);
INSERT INTO "tasks" VALUES(1,1);
CREATE TABLE \`task_logs\` (\`id\` integer, \`message\` text);
INSERT INTO "task_logs" VALUES(1,'done; next: "x"
it''s a ; inside');
CREATE TABLE \`users\` (\`id\` integer PRIMARY KEY, \`name\` text);
INSERT INTO "users" VALUES(1,'a;b');
CREATE INDEX \`tasks_user\` ON \`tasks\` (\`user_id\`);`;

describe("d1-import-order", () => {
  it("splits statements outside strings (a ; or a quote inside a value stays in it)", () => {
    const s = statements(EXPORT);
    expect(s).toHaveLength(8);
    expect(s[4]).toBe(`INSERT INTO "task_logs" VALUES(1,'done; next: "x"\nit''s a ; inside');`);
  });

  it("puts every table before every row, then the indexes", () => {
    const order = statements(importOrder(EXPORT)).map((s) => s.split(/[\s(]/).slice(0, 3).join(" "));
    expect(order).toEqual([
      "PRAGMA defer_foreign_keys=TRUE;",
      "CREATE TABLE `tasks`",
      "CREATE TABLE `task_logs`",
      "CREATE TABLE `users`",
      'INSERT INTO "tasks"',
      'INSERT INTO "task_logs"',
      'INSERT INTO "users"',
      "CREATE INDEX `tasks_user`",
    ]);
  });
});
