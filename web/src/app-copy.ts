/**
 * The service worker (public/sw.js) that opens the app again from this phone's copy. Registered once
 * the first page is up (its install fetches the app's files: not while the first screen needs the line);
 * not under `vite` (its files are not the build's). Apart from boot.ts, which imports the router that
 * loads the layout calling this.
 */
export function keepAppCopy(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}
