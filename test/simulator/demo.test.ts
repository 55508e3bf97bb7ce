import { expect, it } from "vitest";
import { ChaoxingError, courseProgress, rtCandidates, type ChaoxingClient, type Course, type MediaJob } from "../../src/chaoxing";
import { clock } from "../../src/lib/clock";
import { DEMO_PASSWORD, DEMO_PHONE } from "../../src/simulator/seed";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

/**
 * A minimal study loop over the client (the real one is the task engine): every chapter, every open job,
 * media at 2× with one report per 60 s of video. Returns what it left undone.
 */
async function study(client: ChaoxingClient, course: Course): Promise<string[]> {
  const left: string[] = [];
  for (const chapter of await client.getChapters(course)) {
    let cards;
    try {
      cards = await client.getCards(course, chapter.id);
    } catch (e) {
      if (e instanceof ChaoxingError && e.kind === "not_open") {
        left.push(`${chapter.title}: not open`);
        continue;
      }
      throw e;
    }
    if (cards.jobs.length === 0) await client.visitEmptyChapter(course, chapter.id);
    for (const job of cards.jobs.filter((j) => !j.isPassed && j.required)) {
      if (job.type === "document") await client.completeDocument(course, chapter.id, job);
      else if (job.type === "read") await client.completeRead(course, chapter.id, job);
      else if ((job.type === "video" || job.type === "audio") && job.mid) await playAt2x(client, course, job);
      else left.push(`${chapter.title}: ${job.type}`);
    }
  }
  return left;
}

async function playAt2x(client: ChaoxingClient, course: Course, job: MediaJob): Promise<void> {
  const { dtoken, duration } = await client.getMediaStatus(job.objectId, client.fid, job.type);
  let rt = rtCandidates(job);
  let pos = Math.floor(job.playTimeMs / 1000);
  for (let passed = false; !passed; ) {
    const r = await client.reportProgress({ course, job, dtoken, duration, playingTime: pos, isdrag: pos === 0 ? 3 : 0, rt });
    rt = [r.rt];
    passed = r.isPassed;
    const step = Math.min(60, duration - pos);
    clock.advance(Math.max(step, 1) * 500);
    pos += step;
  }
}

it("completes the demo's short courses end to end, leaving only the quiz and the closed chapter", async () => {
  const sim = installSimulator();
  const client = sim.client();
  await client.login(DEMO_PHONE, DEMO_PASSWORD);
  const courses = await client.listCourses();
  const byName = (n: string) => {
    const c = courses.find((x) => x.courseName === n);
    if (!c) throw new Error(n);
    return c;
  };
  const progress = async (c: Course) => {
    const chapters = await client.getChapters(c);
    return courseProgress(Object.values(await client.getJobCounts(c, chapters.map((x) => x.id))));
  };

  expect(await study(client, byName("大学生心理健康教育"))).toEqual([]);
  expect(await progress(byName("大学生心理健康教育"))).toBe(100);
  expect(await study(client, byName("大学计算机基础"))).toEqual([]);
  expect(await progress(byName("大学计算机基础"))).toBe(100);

  const marx = byName("马克思主义基本原理");
  expect(await study(client, marx)).toEqual(["1.2 章节测验: quiz", "2.1 实践与认识: not open"]);
  expect(await progress(marx)).toBe(66); // 4 of 6 task points: the quiz and the closed chapter remain

  await expect(study(client, byName("军事理论"))).rejects.toMatchObject({ kind: "face_check" });
});
