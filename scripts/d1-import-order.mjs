#!/usr/bin/env node
// `node scripts/d1-import-order.mjs <export.sql> <restore.sql>`: a `wrangler d1 export` file in an order
// `wrangler d1 execute --file` can import. The export writes each table's rows right after its own CREATE
// TABLE, so a row of `tasks` comes before the `users` table it references exists, and the import fails
// with "no such table: main.users" (cloudflare/workers-sdk#5683, open). Here every CREATE TABLE comes
// first, then every row (the export's `PRAGMA defer_foreign_keys` covers the order of rows), then indexes
// and anything else. docs/operations.md "Restoring".
import { readFileSync, writeFileSync } from "node:fs";

/** The statements of an SQL text, each with its `;`, split outside quoted strings and identifiers. */
export function statements(sql) {
  const out = [];
  let start = 0;
  let quote = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) {
        if (sql[i + 1] === quote) i++;
        else quote = null;
      }
    } else if (c === "'" || c === '"' || c === "`") {
      quote = c;
    } else if (c === ";") {
      const s = sql.slice(start, i + 1).trim();
      if (s !== ";") out.push(s);
      start = i + 1;
    }
  }
  const rest = sql.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Pragmas, then tables, then rows, then the rest (indexes, triggers, views). */
export function importOrder(sql) {
  const kind = (s) => (/^PRAGMA\b/i.test(s) ? 0 : /^CREATE\s+TABLE\b/i.test(s) ? 1 : /^INSERT\b/i.test(s) ? 2 : 3);
  const buckets = [[], [], [], []];
  for (const s of statements(sql)) buckets[kind(s)].push(s);
  return `${buckets.flat().join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    console.error("usage: node scripts/d1-import-order.mjs <export.sql> <restore.sql>");
    process.exit(2);
  }
  writeFileSync(to, importOrder(readFileSync(from, "utf8")));
  console.log(`${to}: ${statements(readFileSync(to, "utf8")).length} statements, tables before rows`);
}
