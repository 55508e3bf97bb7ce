import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask } from "../helpers/drive";
import { pairRelay, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import type { ObjectDump } from "../fixtures/records/capture/common";
import { writeStorage } from "./fixtures";
import fixture from "../fixtures/records/0.1.0-05723ba/relay.json";

// The relay object's records as the previous release left them (an account pinned to the second of two
// agents, the day's request count), recorded by running it: this release keeps the account on its agent
// and goes on counting.

useFutureClock();

const fx = fixture as unknown as { capturedAt: number; user: { id: number }; relays: { first: number; second: number }; account: { phone: string }; requests: number; objects: { RELAYS: ObjectDump[] } };

it("the previous release's pin and count are read: the account stays on its agent, the count goes on", async () => {
  const sim = installSimulator();
  clock.setOffset(fx.capturedAt - Date.now());
  const { token, user } = await registerUser("fxr");
  expect(user.id).toBe(fx.user.id);
  await useRelay(token);
  const first = await pairRelay(token, "first");
  const second = await pairRelay(token, "second");
  expect([first.relayId, second.relayId]).toEqual([fx.relays.first, fx.relays.second]);
  const account = sim.newAccount([videoCourse(60)], { phone: fx.account.phone });
  expect((await api("PUT", "/api/user/config", { token, body: { cx_username: account.phone, cx_password: account.password } })).status).toBe(200);
  for (const d of fx.objects.RELAYS) await writeStorage(env.RELAYS, d);
  await abortAllDurableObjects();

  // With both online, an account pinned to nobody would go to the first (fewest accounts, lowest id).
  const a1 = await TestAgent.online(first.credential, simPerform(sim));
  const a2 = await TestAgent.online(second.credential, simPerform(sim));
  const id = await startTask(token, [account.courses[0]!.courseId]);
  expect(await driveUntil(id, (l) => l.status !== "running")).toMatchObject({ status: "completed" });
  expect(a1.seen).toEqual([]);
  expect(a2.seen.length).toBeGreaterThan(5);
  const relays = await api("GET", "/api/relays", { token });
  const counted = (relays.body.relays as { id: number; requests_today: number }[]).find((r) => r.id === second.relayId)!;
  expect(counted.requests_today).toBe(fx.requests + a2.seen.length);
  await a1.stop();
  await a2.stop();
});
