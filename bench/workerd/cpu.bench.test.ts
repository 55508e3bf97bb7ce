// CPU per invocation, against the Workers Free plan's 10 ms (docs/benchmarks.md "CPU per invocation";
// bench/run.mjs collects the BENCH lines). `wrangler dev` reports no CPU time, and production's clock
// stands still while a Worker computes; local workerd's does not, so performance.now() around a section
// that only computes measures its CPU here, in the runtime and WebCrypto that production runs. A section
// that also waits (local D1 is SQLite in the same process; another object's RPC) gives an upper bound.
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { parseChapters, parseCourseList } from "../../src/chaoxing/html";
import { extractMArg, parseAttachments } from "../../src/chaoxing/marg";
import { runOp } from "../../src/durable/account-ops";
import { hashPassword, verifyPassword } from "../../src/lib/password";
import { DEMO_COURSES } from "../../src/simulator/seed";
import { api, registerUser } from "../../test/helpers/api";
import { installSimulator, useFutureClock } from "../../test/helpers/sim";

useFutureClock();

const emit = (name: string, value: number, extra: Record<string, number | string> = {}) => console.log(`BENCH ${JSON.stringify({ name, value, ...extra })}`);
const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

it("a login: the password check at the configured PBKDF2 cost, and the whole route", async () => {
  const iterations = Number(env.PBKDF2_ITERATIONS);
  const stored = await hashPassword("bench-password-1", env.PASSWORD_PEPPER, iterations);
  const kdf = await timed(20, () => verifyPassword("bench-password-1", stored, env.PASSWORD_PEPPER));
  emit("cpu.login_kdf_ms", Math.min(...kdf), { p50: pct(kdf, 50), iterations, runs: kdf.length });
  const { user, password } = await registerUser("cpu");
  const login = await timed(20, async () => {
    const r = await exports.default.fetch("http://localhost/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "10.9.9.9" },
      body: JSON.stringify({ username: user.username, password }),
    });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
  });
  emit("cpu.login_route_ms", Math.min(...login), { p50: pct(login, 50), runs: login.length });
});

it("a task step's heaviest part: parsing the pages it reads (course list, chapter tree, cards), min of batches", async () => {
  const sim = installSimulator({ seedDemo: false });
  // The pages as the client received them, captured on the way (the transport is the simulator's).
  const pages = new Map<string, string>();
  setTransportOverride({
    async fetch(req) {
      const res = await sim.app.fetch(req);
      const path = new URL(req.url).pathname;
      if (/courselistdata|studentcourse|knowledge\/cards/.test(path)) pages.set(path.split("/").pop()!, await res.clone().text());
      return res;
    },
  });
  // Thirty courses in the list, the realistic 32-chapter course for the tree and its cards.
  const big = DEMO_COURSES.find((c) => c.name === "高等数学（上）")!;
  const list = [big, ...Array.from({ length: 29 }, (_, i) => ({ ...DEMO_COURSES[0]!, name: `课程 ${i}` }))];
  const { account, client } = await sim.loggedIn(list);
  const course = account.courses[0]!;
  await runOp(client, { op: "courses" });
  const outline = await runOp(client, { op: "chapters", course });
  await runOp(client, { op: "cards", course, chapterId: outline.chapters[0]!.id, num: 0 });
  const parse: Record<string, () => Promise<unknown>> = {
    courses: () => parseCourseList(pages.get("courselistdata")!),
    chapters: () => parseChapters(pages.get("studentcourse")!),
    cards: async () => {
      const marg = extractMArg(pages.get("cards")!)!;
      return parseAttachments(marg);
    },
  };
  for (const [name, run] of Object.entries(parse)) {
    // performance.now() here counts whole milliseconds: batches of ten, and the quickest batch of twenty
    // (the one the machine's other load disturbed least).
    const batches = await timed(20, async () => {
      for (let i = 0; i < 10; i++) await run();
    });
    emit(`cpu.parse_ms.${name}`, Math.min(...batches) / 10, { bytes: pages.get(name === "courses" ? "courselistdata" : name === "chapters" ? "studentcourse" : "cards")!.length });
  }
});

it("a page of reads: GET /api/tasks (20 tasks with items left), against the no-op and the authenticated no-op", async () => {
  const { token, user } = await registerUser("cpuread");
  const left = JSON.stringify(
    Array.from({ length: 8 }, (_, i) => ({ course: "高等数学（上）", chapter: `第${i + 1}章`, item: `章节测验 ${i + 1}`, kind: "quiz", reason: "章节测验需要你自己完成", reason_code: "left.quiz", reason_params: {}, url: "https://mooc1.chaoxing.com/x" })),
  );
  const now = new Date().toISOString();
  for (let i = 0; i < 20; i++) {
    await env.DB.prepare("INSERT INTO tasks (user_id, name, course_ids, status, reason, progress, left_for_user, created_at, updated_at) VALUES (?, ?, '[\"228000001\"]', 'completed', 'needs_you', 87, ?, ?, ?)")
      .bind(user.id, `任务 ${i}`, left, now, now)
      .run();
  }
  const get = (path: string, auth: boolean) => async () => {
    const r = await api("GET", path, auth ? { token } : {});
    expect(r.status).toBe(200);
  };
  const page = await timed(30, get("/api/tasks?page_size=20", true));
  const me = await timed(30, get("/api/auth/me", true));
  const noop = await timed(30, get("/api/health/live", false));
  emit("cpu.read_page_ms", Math.min(...page), { p50: pct(page, 50), me: Math.min(...me), noop: Math.min(...noop), runs: page.length });
});
