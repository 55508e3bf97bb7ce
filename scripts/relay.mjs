// `npm run relay -- --url http://localhost:8000 --pair <code> --dev-allow-loopback http://127.0.0.1:8001`: the relay agent
// from source (bundled on the fly into node_modules/.cache), with the same arguments as the download.
import { spawn } from "node:child_process";
import path from "node:path";
import { bundleRelay } from "./relay-bundle.mjs";

const root = path.resolve(import.meta.dirname, "..");
const out = await bundleRelay(path.join(root, "node_modules", ".cache", "chaoxing-relay", "chaoxing-relay.mjs"));
const child = spawn(process.execPath, [out, ...process.argv.slice(2)], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
