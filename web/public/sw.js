// The dashboard's service worker: a reopened page starts from this phone's copy of the app instead of
// asking the server first. Without it a reload on a 3G line waits one round trip (≈ 0.6 s) for the HTML to
// be revalidated before any script runs, and compiles every script again (V8 keeps compiled code for a
// script only from its third run, but at once for scripts a service worker stores while it installs:
// v8.dev/blog/code-caching-for-devs).
//
// - The page (any route of the app: the same index.html) is answered from the copy, and the copy is
//   refreshed behind it: a deploy is seen on the next load. A first visit, or a copy missing, goes to
//   the network as without this file.
// - /assets/* are named by their content (immutable): answered from the copy, fetched and kept if missing.
// - Nothing else is touched: the API and the socket go to the network (and bypass this worker where the
//   browser can route them so), and no answer of the API is ever stored.
const CACHE = "cx-app-v1";
const SHELL = "/";
const EARLY = "/early.js";

/** The files index.html names: its scripts, its style sheet and each route's chunks (its route map). */
const assetsOf = (html) => [...new Set(html.match(/\/assets\/[\w.-]+\.(?:js|css)/g) ?? [])];

/** Stores the page and everything it names; the files already in the HTTP cache cost no network. */
async function keep(cache, res) {
  const html = await res.clone().text();
  await cache.addAll([...assetsOf(html), EARLY]);
  await cache.put(SHELL, res);
  return html;
}

self.addEventListener("install", (event) => {
  try {
    // The API and the socket never wake this worker (Chrome's static routing; elsewhere they pass through).
    event.addRoutes?.([
      { condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" },
      { condition: { urlPattern: new URLPattern({ pathname: "/ws/*" }) }, source: "network" },
    ]);
  } catch {
    // Older browsers: the fetch handler below lets these requests pass.
  }
  event.waitUntil(
    (async () => {
      const res = await fetch(SHELL, { cache: "no-cache" });
      if (!res.ok || res.redirected) throw new Error(`index.html: ${res.status}`);
      await keep(await caches.open(CACHE), res);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    })(),
  );
});

/** Behind a page answered from the copy: the current index.html, and when it changed, its files (the old ones dropped). */
async function refresh() {
  const cache = await caches.open(CACHE);
  const res = await fetch(SHELL, { cache: "no-cache" });
  if (!res.ok || res.redirected) return;
  const old = await cache.match(SHELL);
  const oldHtml = old ? await old.text() : "";
  const html = await res.clone().text();
  if (html === oldHtml) return;
  await keep(cache, res);
  // The page open now may still load its own lazy chunks: the previous version's files stay one more version.
  const wanted = new Set([...assetsOf(html), ...assetsOf(oldHtml)]);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith("/assets/") && !wanted.has(path)) await cache.delete(req);
  }
}

/** Hashed files: the copy, else the network (and kept). */
async function asset(req) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

/** The page or early.js: the copy at once, refreshed behind it; the network when there is no copy. */
async function fromCopy(event, key) {
  const hit = await caches.match(key);
  if (!hit) return fetch(event.request);
  if (key === SHELL) event.waitUntil(refresh().catch(() => undefined));
  return hit;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws/")) return;
  // The app's routes have no file extension; a navigation to a file (a Swagger asset, say) is not the app.
  if (req.mode === "navigate" && !/\.\w+$/.test(url.pathname)) event.respondWith(fromCopy(event, SHELL));
  else if (url.pathname === EARLY) event.respondWith(fromCopy(event, EARLY));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(asset(req));
});
