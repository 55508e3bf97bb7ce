import { expect, it } from "vitest";
import type { ChaoxingClient } from "../../src/chaoxing/client";
import { courseProgress } from "../../src/chaoxing/progress";
import type { Course } from "../../src/chaoxing/types";
import { initialState } from "../../src/engine/state";
import { DEMO_PASSWORD, DEMO_PHONE } from "../../src/simulator/seed";
import { drive, ioFor } from "../helpers/engine";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

/**
 * The demo account, studied by the real step engine (driven directly, at 2× where a course allows it):
 * what each short course leaves for the user, and the progress Chaoxing then reports for it.
 */
it("the engine completes the demo's short courses, leaving only the quiz, the closed chapter, the video still transcoding, the face courses and the live not started", async () => {
  const sim = installSimulator();
  const client = sim.client();
  await client.login(DEMO_PHONE, DEMO_PASSWORD);
  const courses = await client.listCourses();
  const byName = (n: string): Course => {
    const c = courses.find((x) => x.courseName === n);
    if (!c) throw new Error(n);
    return c;
  };
  const study = async (name: string) => {
    const s = initialState([byName(name).courseId], 2, "continue");
    await drive(s, ioFor(sim, client), (r) => r.outcome.kind === "complete", 2000);
    return s.left.map((l) => `${l.chapter}${l.item ? ` ${l.item}` : ""}: ${l.kind}${l.reason_code ? ` (${l.reason_code})` : ""}`);
  };
  const progress = async (c: ChaoxingClient, course: Course) => {
    const { chapters } = await c.getChapters(course);
    return courseProgress(Object.values(await c.getJobCounts(course, chapters.map((x) => x.id))));
  };

  expect(await study("大学生心理健康教育")).toEqual([]);
  expect(await progress(client, byName("大学生心理健康教育"))).toBe(100);
  expect(await study("大学计算机基础")).toEqual([expect.stringMatching(/^1\.1 计算机的发展 .*: video \(left\.not_ready\)$/)]);
  expect(await progress(client, byName("大学计算机基础"))).toBe(83); // 5 of 6: the video still transcoding remains (the eighth tab's document is done)
  expect(await study("马克思主义基本原理")).toEqual(["1.2 章节测验 第一章 章节测验: quiz (left.quiz)", "2.1 实践与认识: chapter (left.notopen_skipped)"]);
  expect(await progress(client, byName("马克思主义基本原理"))).toBe(71); // 5 of 7: the quiz and the closed chapter remain
  expect(await study("军事理论")).toEqual([": course (left.face_check)"]);
  expect(await study("形势与政策")).toEqual([": course (left.face_capture)"]);
  expect(await study("创新创业基础")).toEqual([": course (left.face_capture)"]);
  expect(await study("中国近现代史纲要")).toEqual([]); // its ongoing class; the ended one is not studied
  const history = courses.filter((c) => c.courseName === "中国近现代史纲要");
  expect(await progress(client, history.find((c) => c.state === 0)!)).toBe(100);
  expect(await progress(client, history.find((c) => c.state === 1)!)).toBe(0);
  expect(await study("中华优秀传统文化")).toEqual(["第二讲 诗词之美（直播预告） 诗词之美 直播: live (left.live_not_started)"]);
});
