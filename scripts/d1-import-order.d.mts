// Types of scripts/d1-import-order.mjs, for test/node/d1-import-order.test.ts.
export function statements(sql: string): string[];
export function importOrder(sql: string): string;
