import { it } from "vitest";
import { useFutureClock } from "../helpers/sim";
import { loadsAndCompletes, type TasksFixture } from "./fixtures";
import fixture from "../fixtures/records/2026-11-29-7026d3b/tasks.json";

// The oldest state this release upgrades (README "Upgrading"): the task records of before the task object
// became the one authority (no `id`, no outbox, no name), recorded by running that commit. Loading them
// crashed every access with "t.outbox is not iterable" and left the task running, holding a run slot.

useFutureClock();

it("what the oldest supported release stored loads, and its running, queued and paused tasks complete", () => loadsAndCompletes(fixture as unknown as TasksFixture, { isdrag: "3" }));
