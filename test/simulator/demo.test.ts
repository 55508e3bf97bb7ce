import { expect, it } from "vitest";
import { ChaoxingError, courseProgress, rtCandidates, type ChaoxingClient, type Course, type MediaJob } from "../../src/chaoxing";
import { clock } from "../../src/lib/clock";
import { DEMO_PASSWORD, DEMO_PHONE } from "../../src/simulator/seed";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

/**
 * A minimal study loop over the client (the real one is the task engine): every chapter, every open job
 * (read again once after its jobs, for points that appear then), media at 2× with one report per 60 s of
 * video and the end report repeated until it passes. Returns what it left undone.
 */
async function study(client: ChaoxingClient, course: Course): Promise<string[]> {
  const left: string[] = [];
  for (const chapter of (await client.getChapters(course)).chapters) {
    const seen = new Set<string>();
    for (let read = 0; read < 2; read++) {
      let cards;
      try {
        cards = await client.getCards(course, chapter.id);
      } catch (e) {
        if (e instanceof ChaoxingError && e.kind === "not_open") {
          left.push(`${chapter.title}: not open`);
          break;
        }
        throw e;
      }
      if (cards.jobs.length === 0) await client.visitEmptyChapter(course, chapter.id);
      for (const job of cards.jobs.filter((j) => !j.isPassed && j.required && !seen.has(j.jobid))) {
        seen.add(job.jobid);
        if (job.type === "document") await client.completeDocument(course, chapter.id, job);
        else if (job.type === "read") await client.completeRead(course, chapter.id, job);
        else if ((job.type === "video" || job.type === "audio") && job.mid) {
          try {
            await playAt2x(client, course, job);
          } catch (e) {
            if (!(e instanceof ChaoxingError && e.kind === "not_ready")) throw e;
            left.push(`${chapter.title}: ${job.type} not ready`);
          }
        } else left.push(`${chapter.title}: ${job.type}`);
      }
    }
  }
  return left;
}

async function playAt2x(client: ChaoxingClient, course: Course, job: MediaJob): Promise<void> {
  const { dtoken, duration } = await client.getMediaStatus(job.objectId, client.fid, job.type);
  const [begins, ends] = job.clip ?? [0, duration];
  const speed = job.fastPlayback ? 2 : 1;
  let rt = rtCandidates(job);
  let pos = Math.max(begins, Math.floor(job.playTimeMs / 1000));
  let isdrag: 0 | 3 | 4 = 3;
  for (let passed = false, ends4 = 0; !passed && ends4 < 10; ) {
    const r = await client.reportProgress({ course, job, dtoken, duration, playingTime: pos, isdrag, rt });
    rt = [r.rt];
    passed = r.isPassed;
    const step = Math.min(60, ends - pos);
    clock.advance(((step || 60) / speed) * 1000);
    pos += step;
    isdrag = pos >= ends ? 4 : 0;
    if (isdrag === 4) ends4++;
  }
}

it("completes the demo's short courses end to end, leaving only the quiz, the closed chapter and the video still transcoding", async () => {
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
    const { chapters } = await client.getChapters(c);
    return courseProgress(Object.values(await client.getJobCounts(c, chapters.map((x) => x.id))));
  };

  expect(await study(client, byName("大学生心理健康教育"))).toEqual([]);
  expect(await progress(byName("大学生心理健康教育"))).toBe(100);
  expect(await study(client, byName("大学计算机基础"))).toEqual(["1.1 计算机的发展: video not ready"]);
  expect(await progress(byName("大学计算机基础"))).toBe(75); // 3 of 4: the video still transcoding remains

  const marx = byName("马克思主义基本原理");
  expect(await study(client, marx)).toEqual(["1.2 章节测验: quiz", "2.1 实践与认识: not open"]);
  expect(await progress(marx)).toBe(71); // 5 of 7 task points: the quiz and the closed chapter remain

  await expect(study(client, byName("军事理论"))).rejects.toMatchObject({ kind: "face_check" });
});
