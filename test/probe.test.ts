import { exports } from "cloudflare:workers";
import { it, expect } from "vitest";
import { clock } from "../src/lib/clock";
it("shares the clock", async () => {
  clock.setOffset(1e12);
  const r = await exports.default.fetch("http://x/api/probe");
  const j = await r.json() as { worker: number; dobj: number };
  console.log(j, clock.now());
  expect(Math.abs(j.worker - clock.now())).toBeLessThan(1000);
  expect(Math.abs(j.dobj - clock.now())).toBeLessThan(1000);
});
