import { applyD1Migrations, env } from "cloudflare:test";
import { clock, virtualSleep } from "../src/lib/clock";
import { captureRaised } from "./helpers/notify";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// Raised notification events are captured, not queued: tests hand them to the consumer themselves
// (test/helpers/notify.ts), so no delivery runs in the background of another test.
captureRaised();
// Waits (the account's request pacing) move the shared clock instead of taking real time, and real time
// does not move it at all: what a test computes does not depend on how loaded the machine is.
clock.setSleep(virtualSleep);
clock.freeze();
