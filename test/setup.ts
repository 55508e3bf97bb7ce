import { applyD1Migrations, env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { afterEach } from "vitest";
import { clock, virtualSleep } from "../src/lib/clock";
import { captureRaised } from "./helpers/notify";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// Raised notification events are captured, not queued: tests hand them to the consumer themselves
// (test/helpers/notify.ts), so no delivery runs in the background of another test.
captureRaised();
// Waits (the account's request pacing) move the shared clock instead of taking real time.
clock.setSleep(virtualSleep);
// Durable Object storage lasts the whole file, but a test's simulator does not: a task left with an alarm
// (still running, or completed and waiting for its next-morning check) would wake in a later test's
// `tick()` and call a simulator that no longer knows its account. A test's tasks stop with it.
afterEach(async () => {
  for (const id of await listDurableObjectIds(env.TASKS)) await runInDurableObject(env.TASKS.get(id), (_o, state) => state.storage.deleteAlarm());
});
