import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

/**
 * The relay's installers (relay/install/, filled in by scripts/relay-bundle.mjs): their syntax, the
 * checksum they carry, and install.sh run for real against a stand-in deployment and Node.js mirror on
 * 127.0.0.1. The run against the real app (wrangler dev, pairing, a relayed call) is test/e2e/installer.mjs.
 */

const root = path.resolve(import.meta.dirname, "..", "..");
let built = "";
let agentSha = "";

beforeAll(async () => {
  const { bundleRelay, writeRelayInstallers } = (await import(path.join(root, "scripts", "relay-bundle.mjs"))) as {
    bundleRelay: (out: string) => Promise<string>;
    writeRelayInstallers: (agent: string) => string;
  };
  built = path.dirname(await bundleRelay(path.join(mkdtempSync(path.join(tmpdir(), "relay-build-")), "chaoxing-relay.mjs")));
  agentSha = writeRelayInstallers(path.join(built, "chaoxing-relay.mjs"));
}, 60_000);

const servers: http.Server[] = [];
/** Homes an installer ran in: the loop it may have started is stopped after each test, pass or fail. */
const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) {
    try {
      process.kill(Number(readFileSync(path.join(home, ".chaoxing-relay", "relay.pid"), "utf8")), "SIGTERM");
    } catch {
      // none started, or it ended by itself
    }
  }
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A stand-in deployment (the agent, and pairing) and Node.js mirror; `routes` maps a path to a body. */
async function serve(routes: Record<string, Buffer | string | ((body: string) => [number, string])>): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r = routes[req.url ?? ""];
      if (r === undefined) return void res.writeHead(404).end();
      if (typeof r === "function") {
        const [status, text] = r(body);
        return void res.writeHead(status, { "Content-Type": "application/json" }).end(text);
      }
      res.writeHead(200).end(r);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function runInstaller(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  homes.push(env.HOME!);
  return new Promise((resolve) => {
    const child = spawn("sh", [path.join(built, "install.sh"), ...args], { env: { ...process.env, LANG: "C.UTF-8", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

const pairRoute = (body: string): [number, string] =>
  JSON.parse(body).code === "GOOD-CODE"
    ? [201, JSON.stringify({ relay_id: 3, name: "test-box", credential: `cxr1_3_${"B".repeat(43)}` })]
    : [400, JSON.stringify({ detail: "配对码无效" })];

describe("the relay installers", () => {
  it("are built with the agent's checksum in them, published beside it, and no placeholder left", () => {
    const agent = readFileSync(path.join(built, "chaoxing-relay.mjs"));
    expect(createHash("sha256").update(agent).digest("hex")).toBe(agentSha);
    expect(readFileSync(path.join(built, "chaoxing-relay.mjs.sha256"), "utf8")).toBe(`${agentSha}  chaoxing-relay.mjs\n`);
    for (const f of ["install.sh", "install.ps1", "Dockerfile"]) {
      const text = readFileSync(path.join(built, f), "utf8");
      expect(text).toContain(agentSha);
      expect(text).not.toMatch(/@[A-Z_]+@/);
    }
  });

  it("install.sh is valid sh (sh -n, source and built)", () => {
    for (const f of [path.join(root, "relay", "install", "install.sh"), path.join(built, "install.sh")]) {
      expect(spawnSync("sh", ["-n", f]).status).toBe(0);
    }
  });

  // PowerShell is not on this kind of machine (Debian does not package it); where it is, its parser checks the script.
  const pwsh = spawnSync("sh", ["-c", "command -v pwsh"]).status === 0;
  it.skipIf(!pwsh)("install.ps1 parses in PowerShell", () => {
    const script = `$e=$null; [System.Management.Automation.Language.Parser]::ParseFile('${path.join(built, "install.ps1")}', [ref]$null, [ref]$e) | Out-Null; if ($e.Count) { $e; exit 1 }`;
    expect(spawnSync("pwsh", ["-NoProfile", "-Command", script]).status).toBe(0);
  });

  it("refuses an agent that does not match its checksum, and installs nothing", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "relay-home-"));
    const url = await serve({ "/relay/chaoxing-relay.mjs": "console.log('not the relay')", "/api/relays/pair": pairRoute });
    const r = await runInstaller(["--url", url, "--pair", "GOOD-CODE", "--dev-allow-loopback", "http://127.0.0.1:8001", "--no-service"], { HOME: home });
    expect(r.code).toBe(1);
    expect(r.out).toContain("failed its checksum");
    expect(existsSync(path.join(home, ".chaoxing-relay", "chaoxing-relay.mjs"))).toBe(false);
    expect(existsSync(path.join(home, ".chaoxing-relay", "relay.pid"))).toBe(false);
  });

  it("with only an old Node.js on the PATH, installs Node.js from the mirror (checked against its SHASUMS256), then pairs with it; in Chinese when the locale is", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "relay-home-"));
    // An old Node.js first on the PATH.
    const bin = path.join(home, "oldbin");
    mkdirSync(bin);
    for (const name of ["node", "nodejs"]) {
      writeFileSync(path.join(bin, name), "#!/bin/sh\n[ \"$1\" = --version ] && echo v12.22.9 && exit 0\nexit 1\n");
      chmodSync(path.join(bin, name), 0o755);
    }
    // The mirror's "Node.js": a tarball whose bin/node runs this machine's Node.js.
    const pkg = path.join(home, "pkg", "node-v22.99.0-linux-x64");
    mkdirSync(path.join(pkg, "bin"), { recursive: true });
    writeFileSync(path.join(pkg, "bin", "node"), `#!/bin/sh\nexec ${process.execPath} "$@"\n`);
    chmodSync(path.join(pkg, "bin", "node"), 0o755);
    const tarball = path.join(home, "node-v22.99.0-linux-x64.tar.gz");
    execFileSync("tar", ["-czf", tarball, "-C", path.dirname(pkg), path.basename(pkg)]);
    const tgz = readFileSync(tarball);
    const sums = `${createHash("sha256").update(tgz).digest("hex")}  node-v22.99.0-linux-x64.tar.gz\n${"0".repeat(64)}  node-v22.99.0-darwin-arm64.tar.gz\n`;
    const url = await serve({
      "/relay/chaoxing-relay.mjs": readFileSync(path.join(built, "chaoxing-relay.mjs")),
      "/api/relays/pair": pairRoute,
      "/dist/latest-v22.x/SHASUMS256.txt": sums,
      "/dist/latest-v22.x/node-v22.99.0-linux-x64.tar.gz": tgz,
    });
    const arch = process.arch === "x64" ? "x64" : process.arch;
    if (arch !== "x64") return; // the stand-in mirror only has linux-x64
    const r = await runInstaller(["--url", url, "--pair", "GOOD-CODE", "--dev-allow-loopback", "http://127.0.0.1:8001", "--no-service"], {
      HOME: home, PATH: `${bin}:${process.env.PATH}`, NODE_MIRROR: `${url}/dist`, LANG: "zh_CN.UTF-8",
    });
    expect(r.out).toContain("正在下载 Node.js 22 LTS");
    expect(r.code).toBe(0);
    const dir = path.join(home, ".chaoxing-relay");
    expect(existsSync(path.join(dir, "node", "bin", "node"))).toBe(true);
    expect(r.out).toContain(`Node.js：${path.join(dir, "node", "bin", "node")}`);
    expect(r.out).toContain("已配对为「test-box」");
    const host = new URL(url).host.replace(/[^A-Za-z0-9.-]/g, "_");
    expect(JSON.parse(readFileSync(path.join(dir, `${host}.json`), "utf8"))).toMatchObject({ relay_id: 3 });
    // Started in the background through run.sh; the stand-in deployment has no relay socket, so the
    // agent is refused and, that being deliberate, the loop ends by itself.
    expect(readFileSync(path.join(dir, "run.sh"), "utf8")).toContain("0|64|77) exit");
    const pid = Number(readFileSync(path.join(dir, "relay.pid"), "utf8"));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(() => process.kill(pid, 0)).toThrow();
    expect(readFileSync(path.join(dir, "relay.log"), "utf8")).toContain("部署拒绝了这个中继（HTTP 404）");
  });

  it("without a code and not paired, says how to get one (64)", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "relay-home-"));
    const url = await serve({ "/relay/chaoxing-relay.mjs": readFileSync(path.join(built, "chaoxing-relay.mjs")) });
    const r = await runInstaller(["--url", url, "--dev-allow-loopback", "http://127.0.0.1:8001", "--no-service"], { HOME: home });
    expect(r.code).toBe(64);
    expect(r.out).toContain("not paired yet");
  });
});
