import { it } from "vitest";
import { useFutureClock } from "../helpers/sim";
import { loadsAndCompletes, type TasksFixture } from "./fixtures";
import fixture from "../fixtures/records/0.1.0-05723ba/tasks.json";

// Every release loads what the one before it stored (docs/operations.md "Upgrading"): the objects' storage
// as the previous release left it, recorded by running it (scripts/record-fixtures.mjs).

useFutureClock();

const fx = fixture as unknown as TasksFixture;

// Its media jobs were read before capture courses were recognised (no `randomCaptureTime`): the chapter is
// read again before any report (src/engine/state.ts `upgradeState`), so the running video starts again
// where the platform has it (isdrag 3) instead of going on with a normal report.
it("what the previous release stored loads, and its running, queued and paused tasks complete", () => loadsAndCompletes(fx, { isdrag: "3" }));
