import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock, shanghaiDay } from "../../src/lib/clock";
import { api, registerUser } from "../helpers/api";
import { userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { v1Object, writeV1Account } from "../fixtures/account-v1";

useFutureClock();

const limitsOf = async (token: string) => {
  const r = await api("GET", "/api/user/limits", { token });
  expect(r.status).toBe(200);
  return r.body;
};

describe("what an earlier release kept per phone (acct:<phone>, shared by everyone who saved it)", () => {
  it("is adopted by the one binding whose password opened that session, once; nobody else gets any of it", async () => {
    const sim = installSimulator();
    const owner = await registerUser("owner");
    const account = await userWithAccount(sim, owner.token, [videoCourse(120)]);
    const logins = () => sim.control.requests(account.phone).filter((e) => e.path.endsWith("/fanyalogin")).length;
    await writeV1Account(account.phone, account.password, {
      logins: [clock.now() - 3600_000],
      limits: { windowStart: "00:00", windowEnd: "24:00", dailyCapMinutes: 500, videoGapSeconds: 0, videoGapJitterSeconds: 0 },
      usage: { day: shanghaiDay(clock.now()), seconds: 1800, jobid: "j1", playingTime: 1800, objectId: "o1", nextVideoAt: 0 },
      "login-refusals": [clock.now() - 60_000, clock.now() - 50_000, clock.now() - 40_000, clock.now() - 30_000, clock.now() - 20_000],
      lock: { holder: 424242, queue: [] },
    });

    // A stranger who saved the phone with another password comes first: defaults, nothing counted, no
    // session, and the earlier refusals (anyone's) do not hold their login back either.
    const stranger = await registerUser("stranger");
    await api("PUT", "/api/user/config", { token: stranger.token, body: { cx_username: account.phone, cx_password: "not-it" } });
    expect(await limitsOf(stranger.token)).toMatchObject({ customized: false, daily_cap_minutes: 1440, today: { media_minutes: 0 } });
    expect((await api("POST", "/api/user/config/test-login", { token: stranger.token })).body).toEqual({ ok: false, message: "登录超星失败: 用户名或密码错误", code: "login.wrong_password", params: { error: "用户名或密码错误" } });

    // The owner: their customised limits, today's media so far, and the session itself (no new login).
    const loginsBefore = logins();
    expect(await limitsOf(owner.token)).toMatchObject({ customized: true, daily_cap_minutes: 500, today: { media_minutes: 30 } });
    expect((await api("GET", "/api/courses/list", { token: owner.token })).status).toBe(200);
    expect(logins()).toBe(loginsBefore);

    // Someone else who also knows the password comes later: it was handed over once, so they start afresh.
    const other = await registerUser("coowner");
    await api("PUT", "/api/user/config", { token: other.token, body: { cx_username: account.phone, cx_password: account.password } });
    expect(await limitsOf(other.token)).toMatchObject({ customized: false, today: { media_minutes: 0 } });
    expect((await api("GET", "/api/courses/list", { token: other.token })).status).toBe(200);
    expect(logins()).toBe(loginsBefore + 1);

    // The video lock the earlier release held belongs to the phone now: whoever held it still does.
    expect(await env.PHONES.getByName(`phone:${account.phone}`).lockState()).toMatchObject({ holder: 424242 });
    // What is written now carries its version; the earlier object keeps only the mark that it was handed over.
    const binding = await runInDurableObject(env.ACCOUNTS.getByName(`acct:${owner.user.id}:${account.phone}`), (_o, s) => s.storage.kv.get<{ v: number }>("session"));
    expect(binding?.v).toBe(2);
    const left = await runInDurableObject(v1Object(account.phone), (_o, s) => [...s.storage.kv.list()].map(([k]) => k).sort());
    expect(left).toEqual(["handed-over"]);
  });
});
