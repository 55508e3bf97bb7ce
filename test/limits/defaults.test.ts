import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { config } from "../../src/config";
import { defaultLimits, limitRules } from "../../src/limits/account-limits";
import { api, registerUser } from "../helpers/api";
import { useFutureClock } from "../helpers/sim";

useFutureClock();

/** The deployment's settings with no LIMIT_* var set: what an operator gets by default. */
const bare = () =>
  config(Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("LIMIT_"))) as unknown as Env);

describe("the defaults look like a person, not a machine", () => {
  it("08:00–23:00, 360 minutes of media a day (users may go to 720), a 10–20 minute break after at most 90 minutes, a 30–60 s gap", () => {
    const cfg = bare();
    expect(defaultLimits(cfg)).toEqual({
      windowStart: "08:00", windowEnd: "23:00", dailyCapMinutes: 360, videoGapSeconds: 30, videoGapJitterSeconds: 30, breakAfterMinutes: 90,
    });
    expect(limitRules(cfg)).toEqual({ breakMinMinutes: 10, breakMaxMinutes: 20, dailyCapMaxMinutes: 720, breakAfterMaxMinutes: 90 });
  });

  it("wrangler.toml ships the same values", () => {
    const vars = Object.fromEntries([...wranglerToml.matchAll(/^(LIMIT_[A-Z_]+) = "([^"]*)"$/gm)].map((m) => [m[1], m[2]]));
    expect(vars).toEqual({
      LIMIT_STUDY_WINDOW: "08:00-23:00", LIMIT_DAILY_CAP_MINUTES: "360", LIMIT_DAILY_CAP_MAX_MINUTES: "720", LIMIT_VIDEO_GAP_SECONDS: "30",
      LIMIT_VIDEO_GAP_JITTER_SECONDS: "30", LIMIT_BREAK_AFTER_MINUTES: "90", LIMIT_BREAK_MINUTES: "10-20",
    });
  });

  it("refuses an operator default above the operator's maximum, and a break range upside down", () => {
    const base = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("LIMIT_")));
    expect(() => config({ ...base, LIMIT_DAILY_CAP_MINUTES: "800" } as unknown as Env)).toThrow(/LIMIT_DAILY_CAP_MAX_MINUTES/);
    expect(() => config({ ...base, LIMIT_BREAK_MINUTES: "20-10" } as unknown as Env)).toThrow(/LIMIT_BREAK_MINUTES/);
  });

  it("a new user's speed is 1.0", async () => {
    const { token } = await registerUser("speed");
    expect((await api("GET", "/api/user/config", { token })).body.speed).toBe(1);
  });
});
