// Bundles the relay agent (relay/src/main.ts) into one Node ESM file with esbuild: `ws` included, so a
// student needs nothing but Node.js. Used by `npm run build` (served at /relay/chaoxing-relay.mjs, with
// its checksum and installers) and `npm run relay` (runs it from source).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
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

/** The agent's version and the Node.js versions installers check, read from relay/src/version.ts. */
function versions() {
  const src = readFileSync(path.join(root, "relay", "src", "version.ts"), "utf8");
  const read = (name) => {
    const m = new RegExp(`export const ${name} = "([^"]+)"`).exec(src);
    if (!m) throw new Error(`relay/src/version.ts has no ${name}`);
    return m[1];
  };
  return { AGENT_VERSION: read("RELAY_VERSION"), MIN_NODE: read("MIN_NODE"), NODE_LTS: read("NODE_LTS") };
}

/**
 * Beside the bundled agent: `chaoxing-relay.mjs.sha256` (sha256sum's format), and the installers and the
 * Dockerfile with that checksum (and the versions) filled in, so each checks exactly the agent built with it.
 */
export function writeRelayInstallers(agentFile) {
  const dir = path.dirname(agentFile);
  const sha = createHash("sha256").update(readFileSync(agentFile)).digest("hex");
  writeFileSync(path.join(dir, "chaoxing-relay.mjs.sha256"), `${sha}  chaoxing-relay.mjs\n`);
  const values = { AGENT_SHA256: sha, ...versions() };
  const fill = (text) => text.replace(/@(AGENT_SHA256|AGENT_VERSION|MIN_NODE|NODE_LTS)@/g, (_, k) => values[k]);
  for (const [from, to] of [["install/install.sh", "install.sh"], ["install/install.ps1", "install.ps1"], ["Dockerfile", "Dockerfile"]]) {
    writeFileSync(path.join(dir, to), fill(readFileSync(path.join(root, "relay", from), "utf8")));
  }
  return sha;
}
