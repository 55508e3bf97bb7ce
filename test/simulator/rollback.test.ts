import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { atShanghai, installSimulator, useFutureClock } from "../helpers/sim";
import { passedOf, rawCards, reportRig } from "./raw";

useFutureClock();

/**
 * The overnight rollback ("回溯", chaoxing-protocol.md "Corrections of 2026-12", item 6), spoken by hand:
 * at the Shanghai day change, videos passed on a day whose media total exceeded a threshold, or played
 * while another video of the account was playing, go back to unpassed.
 */

const twoVideos: SimCourseSpec = {
  name: "两个视频",
  teacher: "甲",
  chapters: [
    { title: "1", tabs: [[{ type: "video", name: "a.mp4", duration: 120 }]] },
    { title: "2", tabs: [[{ type: "video", name: "b.mp4", duration: 120 }]] },
  ],
};

type Rig = Awaited<ReturnType<typeof reportRig>>;

/** Watches a rig's 120 s video to the end at 1×, one report a minute. */
async function watch(rig: Rig): Promise<boolean> {
  await rig.report(0, {}, 3);
  clock.advance(60_000);
  await rig.report(60);
  clock.advance(60_000);
  return passedOf(await rig.report(120, {}, 4));
}

async function setup(rollback: { dailyMediaS: number } | null) {
  const sim = installSimulator();
  const account = sim.newAccount([twoVideos], rollback ? { rollback } : {});
  const a = await reportRig(sim, account, 0, 0);
  const b = await reportRig(sim, account, 0, 1);
  const passed = async (rig: Rig) =>
    (await rawCards(sim, rig.cookie, rig.course, rig.chapter.id)).marg!.attachments.find((x) => x.jobid === rig.spec.jobid)!;
  return { sim, account, a, b, passed };
}

describe("the overnight rollback", () => {
  it("reverts, at the Shanghai day change, the videos passed on a day whose media total exceeded the threshold", async () => {
    atShanghai(10, 0);
    const { sim, account, a, b, passed } = await setup({ dailyMediaS: 200 });
    expect(await watch(a)).toBe(true);
    expect(await watch(b)).toBe(true);
    // Still passed the same day, also late in the evening.
    atShanghai(23, 59);
    expect(await passed(a)).toMatchObject({ isPassed: true, playTime: 120_000 });
    atShanghai(6, 0);
    expect(await passed(a)).toMatchObject({ isPassed: false, playTime: 0 });
    expect(await passed(b)).toMatchObject({ isPassed: false, playTime: 0 });
    expect(sim.control.jobProgress(account.phone, a.spec.jobid)).toMatchObject({ passed: false, rolledBack: 1 });
    expect(sim.control.snapshot().accounts.find((x) => x.phone === account.phone)).toMatchObject({ rolledBack: 2 });
    // Studied again on a day under the threshold, they stay passed after the next change.
    sim.control.rollback(account.phone, { dailyMediaS: 1000 });
    expect(await watch(a)).toBe(true);
    atShanghai(6, 0);
    expect(await passed(a)).toMatchObject({ isPassed: true });
    atShanghai(6, 0);
    expect(await passed(a)).toMatchObject({ isPassed: true });
  });

  it("keeps videos passed on a day under the threshold", async () => {
    atShanghai(10, 0);
    const { a, b, passed } = await setup({ dailyMediaS: 1000 });
    expect(await watch(a)).toBe(true);
    expect(await watch(b)).toBe(true);
    atShanghai(8, 0);
    expect(await passed(a)).toMatchObject({ isPassed: true });
    expect(await passed(b)).toMatchObject({ isPassed: true });
  });

  it("reverts videos played while another video of the account was playing, under any threshold; one after the other is fine", async () => {
    atShanghai(10, 0);
    const { sim, account, a, b, passed } = await setup({ dailyMediaS: 1_000_000 });
    // Interleaved: a, b, a, b … a minute apart each.
    await a.report(0, {}, 3);
    await b.report(0, {}, 3);
    clock.advance(60_000);
    await a.report(60);
    await b.report(60);
    clock.advance(60_000);
    expect(await passedOf(await a.report(120, {}, 4))).toBe(true);
    expect(await passedOf(await b.report(120, {}, 4))).toBe(true);
    expect(sim.control.jobProgress(account.phone, a.spec.jobid)).toMatchObject({ concurrent: true });
    atShanghai(7, 0);
    expect(await passed(a)).toMatchObject({ isPassed: false });
    expect(await passed(b)).toMatchObject({ isPassed: false });
    // Now one after the other, as one person would: kept.
    expect(await watch(a)).toBe(true);
    clock.advance(30_000);
    expect(await watch(b)).toBe(true);
    atShanghai(7, 0);
    expect(await passed(a)).toMatchObject({ isPassed: true });
    expect(await passed(b)).toMatchObject({ isPassed: true });
  });

  it("is off for accounts created without it; on for the demo account; switchable through the control API and /__sim", async () => {
    atShanghai(10, 0);
    const { sim, account, a, passed } = await setup(null);
    expect(await watch(a)).toBe(true);
    atShanghai(6, 0);
    expect(await passed(a)).toMatchObject({ isPassed: true });
    expect(sim.control.account("13800138000").rollback).toEqual({ dailyMediaS: 16 * 3600 });
    const call = (body: unknown) => sim.app.fetch(new Request("https://sim.test/__sim/actions", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }));
    expect((await call({ action: "rollback", phone: account.phone, on: true, dailyMediaS: 60 })).status).toBe(200);
    expect(sim.control.account(account.phone).rollback).toEqual({ dailyMediaS: 60 });
    expect((await call({ action: "rollback", phone: account.phone, on: false })).status).toBe(200);
    expect(sim.control.account(account.phone).rollback).toBeNull();
    const created = await sim.app.fetch(new Request("https://sim.test/__sim/accounts", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ phone: "15500000009", rollback: { dailyMediaS: 3600 } }),
    }));
    expect(created.status).toBe(201);
    expect(sim.control.account("15500000009").rollback).toEqual({ dailyMediaS: 3600 });
  });
});
