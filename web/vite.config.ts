import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig } from "vite";

// The worker serves web/dist as static assets (wrangler.toml [assets]); `vite` alone (npm run dev:web)
// proxies the API and the socket to a running `npm run dev` on :8000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: { alias: { "@shared": path.resolve(import.meta.dirname, "../src/shared") } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // Named for what they hold: left alone, the bundler named the shared React + antd-core chunk
        // after the first module it met ("i18n"), which read as if the words weighed 480 KB.
        advancedChunks: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "router", test: /node_modules[\\/]react-router[\\/]/ },
            { name: "antd-core", test: /node_modules[\\/](@ant-design[\\/](cssinjs|cssinjs-utils|colors|fast-color)|@rc-component[\\/]util|rc-util)[\\/]/ },
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
