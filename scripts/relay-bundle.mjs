// Bundles the relay agent (relay/src/main.ts, issue 14) into one Node ESM file with esbuild: `ws`
// included, so a student needs nothing but Node ≥ 18. Used by `npm run build` (served at
// /relay/chaoxing-relay.mjs) and `npm run relay` (runs it from source).
import { build } from "esbuild";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

export async function bundleRelay(outfile) {
  await build({
    entryPoints: [path.join(root, "relay", "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    // Syntax an old Node.js still parses, so the agent itself can tell it what to install (main.ts).
    target: "node12",
    minify: false,
    legalComments: "inline",
    logLevel: "warning",
    // ws's optional native add-ons: it falls back to plain JS when they are missing.
    external: ["bufferutil", "utf-8-validate"],
    // ws is CommonJS and requires Node built-ins; an ESM bundle needs a real `require` for that.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __relayRequire } from 'node:module';\nconst require = __relayRequire(import.meta.url);" },
  });
  return outfile;
}
