import type { ChaoxingClient } from "../../src/chaoxing/client";
import { runOp, toOpError, type OpName, type OpOf, type Reply } from "../../src/durable/account-ops";
import type { EngineState } from "../../src/engine/state";
import { step } from "../../src/engine/step";
import type { EngineIO, StepResult } from "../../src/engine/types";
import { clock } from "../../shared/clock";
import type { InstalledSimulator } from "./sim";

/**
 * The step engine without a task object: an EngineIO that runs each op with a client logged in to the
 * simulator (as the account object would), and a video lock the test controls.
 */
export interface Lock {
  granted: boolean;
  position: number;
}

export function ioFor(sim: InstalledSimulator, client: ChaoxingClient, lock: Lock = { granted: true, position: 0 }): EngineIO & { released: number } {
  const io = {
    released: 0,
    async call<K extends OpName>(op: OpOf<K>): Promise<Reply<K>> {
      try {
        return { ok: true, value: await runOp<K>(client, op) };
      } catch (e) {
        return { ok: false, error: toOpError(e) };
      }
    },
    acquireVideo: async () => ({ ...lock }),
    releaseVideo: async () => void io.released++,
    now: () => clock.now(),
    random: () => 0.5,
    urls: sim.urls,
  };
  return io;
}

/** Steps until `until` holds for a result (moving the clock by each step's delay), at most `max` steps. */
export async function drive(s: EngineState, io: EngineIO, until: (r: StepResult) => boolean, max = 400): Promise<StepResult[]> {
  const seen: StepResult[] = [];
  for (let i = 0; i < max; i++) {
    const r = await step(s, io);
    seen.push(r);
    if (until(r)) return seen;
    if (r.outcome.kind !== "next") throw new Error(`stopped early: ${JSON.stringify(r.outcome)}`);
    clock.advance(r.outcome.delayMs);
  }
  throw new Error(`not reached in ${max} steps; last ${JSON.stringify(seen.at(-1)?.outcome)}`);
}

