/// <reference types="vite/types/import-meta.d.ts" />
/**
 * Vite's raw imports (a file's text), as test/security.test.ts reads web/public/_headers, and its
 * `import.meta.glob` (test/engine/texts.test.ts reads every engine module).
 */
declare module "*?raw" {
  const text: string;
  export default text;
}
