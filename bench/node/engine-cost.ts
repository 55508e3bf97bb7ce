// CPU time of one engine step in Node (bench/run.mjs bundles this with esbuild and runs it): workerd's
// timers stand still inside an invocation, so CPU is measured here with process.cpuUsage(). `step()`
// runs over an EngineIO answered by the in-process simulator, so cards pages, media status and reports
// go through the real client code (mArg parsing, MD5 enc). The course list, the chapter tree, the chapter
// page and its tab bar are HTML parsed with HTMLRewriter, which exists only in workerd: those ops are
// answered from the simulator's model instead (this course captures nothing, so its page has no face
// mask, and every tab is a card); their parsing is timed in workerd (bench/workerd/cpu.bench.test.ts).
import { createHash } from "node:crypto";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { setTransportOverride } from "../../src/chaoxing/transport";
import type { Chapter, Course } from "../../src/chaoxing/types";
import { upstreamUrlsAt } from "../../src/chaoxing/urls";
import { runOp, toOpError, type Op, type OpName, type OpOf, type OpResults, type Reply } from "../../src/durable/account-ops";
import { initialState } from "../../src/engine/state";
import { step } from "../../src/engine/step";
import type { EngineIO } from "../../src/engine/types";
import { clock } from "../../shared/clock";
import { createSimulator } from "../../simulator/src/app";
import type { SimAccountInfo } from "../../simulator/src/control";
import { isRequired } from "../../simulator/src/model";
import { DEMO_COURSES } from "../../simulator/src/seed";

// Node's WebCrypto has no MD5 (a Workers extension the report checksum uses).
const subtle = crypto.subtle;
const digest = subtle.digest.bind(subtle);
Object.defineProperty(subtle, "digest", {
  value: async (alg: string | { name: string }, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer> => {
    const name = typeof alg === "string" ? alg : alg.name;
    if (name.toUpperCase() !== "MD5") return digest(alg, data);
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    return new Uint8Array(createHash("md5").update(bytes).digest()).buffer;
  },
});

const SPEED = 2;
const MAX_STEPS = 20_000;
const cpuUs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

const sim = createSimulator({ seedDemo: false });
let simUs = 0;
const simSamples: number[] = [];
setTransportOverride({
  async fetch(req) {
    const c0 = process.cpuUsage();
    const res = await sim.app.fetch(req);
    const us = cpuUs(c0);
    simUs += us;
    simSamples.push(us);
    return res;
  },
});

const course = DEMO_COURSES.find((c) => c.name === "高等数学（上）")!;
const account: SimAccountInfo = sim.control.createAccount({ phone: "13900000001", courses: [course] });
const urls = upstreamUrlsAt("https://sim.test");
const client = new ChaoxingClient({ urls });

function fromModel<K extends OpName>(opK: OpOf<K>): OpResults[K] | undefined {
  const op = opK as Op;
  if (op.op === "courses") {
    const courses: Course[] = account.courses.map((c) => ({
      courseId: c.courseId, clazzId: c.clazzId, cpi: c.cpi, courseName: c.name, teacherName: c.teacher, clazzName: c.clazzName, state: c.state,
      startDate: c.period?.[0] ?? null, endDate: c.period?.[1] ?? null, folderId: null, folderName: null, info: "", roleid: "3",
    }));
    return courses as OpResults[K];
  }
  if (op.op === "chapters") {
    const c = account.courses.find((x) => x.courseId === op.course.courseId)!;
    const chapters: Chapter[] = c.chapters.map((ch) => ({ id: ch.id, title: ch.title, jobCount: ch.jobs.filter(isRequired).length, finished: false, locked: false }));
    return { chapters, enc: null } as OpResults[K];
  }
  if (op.op === "tabs") {
    const ch = account.courses.find((x) => x.courseId === op.course.courseId)!.chapters.find((x) => x.id === op.chapterId)!;
    return ch.tabs.map((_, i) => i) as OpResults[K];
  }
  if (op.op === "studyPage") return null as OpResults[K];
  return undefined;
}

const io: EngineIO = {
  async call<K extends OpName>(op: OpOf<K>): Promise<Reply<K>> {
    const modelled = fromModel(op);
    if (modelled !== undefined) return { ok: true, value: modelled };
    try {
      return { ok: true, value: await runOp<K>(client, op) };
    } catch (e) {
      return { ok: false, error: toOpError(e) };
    }
  },
  acquireVideo: async () => ({ granted: true, position: 0 }),
  releaseVideo: async () => undefined,
  now: () => clock.now(),
  random: Math.random,
  urls,
};

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

await client.login(account.phone, account.password);
const state = initialState([account.courses[0]!.courseId], SPEED, "retry");
const stepSamples: number[] = [];
let outcome = "next";
for (let i = 0; i < MAX_STEPS && outcome === "next"; i++) {
  simUs = 0;
  const c0 = process.cpuUsage();
  const r = await step(state, io);
  stepSamples.push(Math.max(0, cpuUs(c0) - simUs));
  outcome = r.outcome.kind;
  if (r.outcome.kind === "next") clock.advance(r.outcome.delayMs);
}
if (outcome !== "complete") throw new Error(`the course did not complete: ${outcome} after ${stepSamples.length} steps`);

const steps = [...stepSamples].sort((a, b) => a - b);
const serves = [...simSamples].sort((a, b) => a - b);
const emit = (name: string, value: number, extra: Record<string, number>) => console.log(`BENCH ${JSON.stringify({ name, value, ...extra })}`);
emit("engine.step_cpu_us.p50", pct(steps, 50), { baseline: pct(serves, 50), steps: steps.length, requests: serves.length });
emit("engine.step_cpu_us.p99", pct(steps, 99), { baseline: pct(serves, 99), steps: steps.length, requests: serves.length });
