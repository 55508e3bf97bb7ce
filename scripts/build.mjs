// Builds the static assets the worker serves: the dashboard (Vite, when present), the Swagger UI
// files, copied from swagger-ui-dist so /api/docs renders with no internet, and the relay agent as one
// file students download (/relay/chaoxing-relay.mjs) with its SHA-256 beside it, and the installers and
// Dockerfile that check it (relay/install/, relay/Dockerfile: the checksum and versions filled in here).
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { bundleRelay, writeRelayInstallers } from "./relay-bundle.mjs";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "web", "dist");
if (existsSync(path.join(root, "web", "vite.config.ts"))) {
  execFileSync(path.join(root, "node_modules", ".bin", "vite"), ["build", "--config", "web/vite.config.ts"], { cwd: root, stdio: "inherit" });
}
mkdirSync(path.join(out, "swagger-ui-dist"), { recursive: true });
for (const f of ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"]) {
  cpSync(path.join(root, "node_modules", "swagger-ui-dist", f), path.join(out, "swagger-ui-dist", f));
}
const agent = await bundleRelay(path.join(out, "relay", "chaoxing-relay.mjs"));
writeRelayInstallers(agent);
console.log(`assets built in ${path.relative(root, out)}`);
