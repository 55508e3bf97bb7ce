import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig, type Plugin } from "vite";

const LIBS = /node_modules[\\/](antd|@ant-design|@rc-component|rc-[a-z-]+|@tanstack|dayjs)[\\/]/;
/** Heavy antd parts only some pages use (tables, pickers, sliders…): left to the default split, loaded with those pages. */
const RARE = /node_modules[\\/](antd[\\/]es[\\/](table|date-picker|calendar|time-picker|steps|slider|select|auto-complete|tree|tree-select|cascader|transfer|upload|color-picker|image|tour|carousel|mentions|qr-code|input-number|radio|float-button|splitter|watermark|timeline|anchor|rate|back-top|affix)|@rc-component[\\/](table|picker|steps|slider|select|tree|tree-select|cascader|virtual-list|upload|color-picker|image|tour|mentions|qrcode|input-number|textarea))[\\/]/;
const APP = /(web[\\/]src[\\/](components|lib|api|live)|src[\\/]shared)[\\/]/;
/** Our modules (and openapi-fetch) the entry imports, tagged $initial where used. */
const APP_INITIAL = /web[\\/]src[\\/]|src[\\/]shared[\\/]|node_modules[\\/]openapi-fetch[\\/]/;
/** Our components that bring heavy antd parts (pickers, sliders, charts) or load lazily: left with their pages. */
const OWN_CHUNK = /web[\\/]src[\\/]components[\\/](StudyLimitsCard|NotificationSettings|BarChart|ActiveSwitch|ForceStop|CaptchaPrompt|TaskViewMore|TaskNotifications|LogPanel|NewPasswordFields|studyOptions|TapSwitch)\./;

/** Which modules each key of the route map stands for (public/early.js picks keys by path and language). */
const ROUTE_MODULES: Record<string, RegExp> = {
  zh: /src[\\/]i18n[\\/]zh\.ts$|antd[\\/]locale[\\/]zh_CN|dayjs[\\/]locale[\\/]zh-cn/,
  en: /src[\\/]i18n[\\/]en\.ts$|antd[\\/]locale[\\/]en_US/,
  auth: /src[\\/]layout[\\/]AuthLayout\.tsx$/,
  login: /src[\\/]pages[\\/]Login\.tsx$/,
  register: /src[\\/]pages[\\/]Register\.tsx$/,
  forgot: /src[\\/]pages[\\/]ForgotPassword\.tsx$/,
  reset: /src[\\/]pages[\\/]ResetPassword\.tsx$/,
  verify: /src[\\/]pages[\\/]VerifyEmail\.tsx$/,
  app: /src[\\/]layout[\\/]AppLayout\.tsx$/,
  overview: /src[\\/]pages[\\/]Overview\.tsx$/,
  courses: /src[\\/]pages[\\/]Courses\.tsx$/,
  tasks: /src[\\/]pages[\\/]Tasks\.tsx$/,
  task: /src[\\/]pages[\\/]TaskDetail\.tsx$/,
  settings: /src[\\/]pages[\\/]Settings\.tsx$/,
};

/**
 * Writes into index.html, as data (the CSP allows no inline script), each route's chunk files beyond what
 * index.html loads anyway: public/early.js preloads the current route's at once.
 */
const routeMap: Plugin = {
  name: "route-map",
  apply: "build",
  transformIndexHtml: {
    order: "post",
    handler(html, ctx) {
      const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === "chunk");
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const closure = (files: string[]) => {
        const seen = new Set<string>();
        for (let f = files.pop(); f !== undefined; f = files.pop()) {
          if (seen.has(f)) continue;
          seen.add(f);
          files.push(...(byFile.get(f)?.imports ?? []));
        }
        return seen;
      };
      const first = closure(chunks.filter((c) => c.isEntry).map((c) => c.fileName));
      const map: Record<string, string[]> = {};
      for (const [key, test] of Object.entries(ROUTE_MODULES)) {
        // A page is its chunk's facade; a language's words are one module of its group's chunk.
        const own = chunks.filter((c) => c.moduleIds.some((id) => test.test(id))).map((c) => c.fileName);
        map[key] = [...closure(own)].filter((f) => !first.has(f)).map((f) => `/${f}`);
      }
      return {
        html,
        tags: [
          // Before early.js, which may run as soon as it arrives (from the cache, before the rest is parsed).
          { tag: "script", attrs: { type: "application/json", id: "cx-routes" }, children: JSON.stringify(map), injectTo: "head-prepend" },
          { tag: "script", attrs: { src: "/early.js", async: true }, injectTo: "head-prepend" },
        ],
      };
    },
  },
};

// The worker serves web/dist as static assets (wrangler.toml [assets]); `vite` alone (npm run dev:web)
// proxies the API and the socket to a running `npm run dev` on :8000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), routeMap],
  resolve: { alias: { "@shared": path.resolve(import.meta.dirname, "../src/shared") } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // A group's chunk is named after its first page only (the full list made index.html's route map long).
        // Groups that leave a module's dependencies to other chunks need the modules to run in source order.
        strictExecutionOrder: true,
        chunkFileNames: (c) => `assets/${c.name.split("~")[0]}-[hash].js`,
        // Fewer, larger chunks. Left alone, the bundler made ~80 small shared chunks and a phone fetched the
        // task page's ~60 of them six at a time (HTTP/1.1), a 3G round trip each. Libraries and our shared
        // components that pages load later are grouped by the set of pages using them (small sets merged
        // into their neighbours), never into the first load. It also named the shared React + antd-core
        // chunk after the first module it met ("i18n"), which read as 480 KB of words.
        codeSplitting: {
          groups: [
            // What every page needs first, in one file: React, the router, antd's core.
            { name: "vendor", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 3 },
            { name: "vendor", test: LIBS, tags: ["$initial"], priority: 3 },
            // A language's words (zh.ts and its areas in zh/) and antd's and dayjs's locale for it: one file per language.
            { name: "lang-zh", test: /src[\\/]i18n[\\/]zh(\.ts$|[\\/])|node_modules[\\/]antd[\\/]locale[\\/]zh_CN|node_modules[\\/]dayjs[\\/]locale[\\/]zh-cn/, priority: 4, includeDependenciesRecursively: false },
            { name: "lang-en", test: /src[\\/]i18n[\\/]en(\.ts$|[\\/])|antd[\\/]locale[\\/]en_US/, priority: 4, includeDependenciesRecursively: false },
            // All of our code on the first load in one file (the entry's own modules too): a phone's first
            // round trips are for the few large files, not for five small ones queued behind them.
            { name: "app-core", test: APP_INITIAL, tags: ["$initial"], priority: 3 },
            // antd's shared parts in one file with what they import (select, helpers, scroll-into-view):
            // every page needs them, and split by the pages using them they imported each other anyway,
            // so a page fetched all of them as a dozen requests, a 3G round trip each over HTTP/1.1.
            { name: "lib", test: (id) => LIBS.test(id) && !RARE.test(id), priority: 2 },
            { name: "ui", test: (id) => APP.test(id) && !OWN_CHUNK.test(id), priority: 1, includeDependenciesRecursively: false },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
});
