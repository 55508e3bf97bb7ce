/** Vite's raw imports (a file's text), as test/security.test.ts reads web/public/_headers. */
declare module "*?raw" {
  const text: string;
  export default text;
}
