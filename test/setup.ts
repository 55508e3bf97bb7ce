import { applyD1Migrations, env } from "cloudflare:test";
import { clock, virtualSleep } from "../src/lib/clock";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// Waits (the account's request pacing) move the shared clock instead of taking real time.
clock.setSleep(virtualSleep);
