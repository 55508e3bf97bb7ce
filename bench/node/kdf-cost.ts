// CPU time of a login's password check in Node (bench/run.mjs bundles this with esbuild and runs it): the
// app's own verifyPassword (HMAC pepper, then PBKDF2-SHA256 through WebCrypto, as src/lib/password.ts does
// it in the Worker) at the iteration counts given on the command line. process.cpuUsage() counts the CPU
// of every thread (Node runs PBKDF2 on its thread pool), so the figure holds on a loaded machine, where
// workerd's wall-clock time would not. The Worker's WebCrypto is BoringSSL, Node's OpenSSL: both native.
import { hashPassword, verifyPassword } from "../../src/lib/password";

const RUNS = 15;
const pepper = "bench-pepper";
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

for (const iterations of process.argv.slice(2).map(Number)) {
  const stored = await hashPassword("bench-password-1", pepper, iterations);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    if (!(await verifyPassword("bench-password-1", stored, pepper))) throw new Error("the password did not verify");
    samples.push(cpuMs(c0));
  }
  console.log(`BENCH ${JSON.stringify({ name: `cpu.kdf_ms.${iterations}`, value: median(samples), max: Math.max(...samples), iterations, runs: RUNS })}`);
}
