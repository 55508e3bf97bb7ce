import { describe, expect, it } from "vitest";
import { clock, shanghaiDay } from "../../shared/clock";
import { installSimulator, useFutureClock, videoCourse } from "../../test/helpers/sim";
import { loginCookies, send } from "./raw";

useFutureClock();

const DAY = 24 * 3600_000;
const REFERER = "https://mooc2-ans.chaoxing.com/mooc2-ans/visit/interaction?moocDomain=https://mooc1-1.chaoxing.com/mooc-ans";

describe("a class's period on the course list (开课时间)", () => {
  it("each card shows 开课时间：start～end where the class has one; the client reads the end as the class's end date", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse(60, { name: "有期限", period: { from: -30, to: 45 } }), videoCourse(60, { name: "无期限" })]);
    const start = shanghaiDay(clock.now() - 30 * DAY);
    const end = shanghaiDay(clock.now() + 45 * DAY);
    const cookie = await loginCookies(sim, account);
    const html = await (
      await send(sim, "mooc2-ans", "/mooc2-ans/visit/courselistdata", {
        method: "POST", cookie, body: "courseType=1&courseFolderId=0&query=&superstarClass=0",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Referer: REFERER, "X-Requested-With": "XMLHttpRequest" },
      })
    ).text();
    expect(html).toContain(`开课时间：${start}～${end}`);
    expect(html.match(/开课时间：/g)).toHaveLength(1);

    const client = sim.client();
    await client.login(account.phone, account.password);
    const courses = await client.listCourses();
    expect(courses.map((c) => [c.courseName, c.startDate, c.endDate])).toEqual([
      ["有期限", start, end],
      ["无期限", null, null],
    ]);
    // The period's line beside the class's line does not run into the class's name.
    expect(courses.map((c) => c.clazzName)).toEqual(account.courses.map((c) => c.clazzName));
  });
});
