import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { legacyAccountName } from "../../src/durable/account-legacy";
import { phoneName } from "../../src/durable/phone";
import { driveUntil, finished } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";
import { restoreDeployment, type TasksFixture } from "./fixtures";
import fixture from "../fixtures/records/0.1.0-05723ba/tasks.json";

// The previous release kept one account object per phone (`acct:<phone>`), shared by everyone who saved
// it: its video lock, session and today's usage, as that release left them (scripts/record-fixtures.mjs).
// This release takes them over (src/durable/account-legacy.ts) into the phone object and the owner's binding.

useFutureClock();

const fx = fixture as unknown as TasksFixture;
it("its one account object per phone is taken over: the video lock by the phone object, the session by the user's binding", async () => {
  const sim = installSimulator({ seedDemo: false });
  await restoreDeployment(sim, fx);
  const { running, waiting } = fx.roles;
  // The video that was playing keeps the lock, and the queued task still waits behind it.
  expect(await env.PHONES.getByName(phoneName(fx.account.phone)).lockState()).toEqual({ holder: running, queue: [waiting] });
  expect(await driveUntil(running, finished)).toMatchObject({ status: "completed", progress: 100 });
  // The session went to the binding whose credentials opened it; the earlier object keeps only the mark.
  const left = await runInDurableObject(env.ACCOUNTS.getByName(legacyAccountName(fx.account.phone)), (_o, s) => [...s.storage.kv.list()].map(([k]) => k));
  expect(left).toEqual(["handed-over"]);
});
