import { it } from "vitest";
import { useFutureClock } from "../helpers/sim";
import { loadsAndCompletes, type TasksFixture } from "./fixtures";
import fixture from "../fixtures/records/0.1.0-05723ba/tasks.json";

// Every release loads what the one before it stored (docs/operations.md "Upgrading"): the objects' storage
// as the previous release left it, recorded by running it (scripts/record-fixtures.mjs).

useFutureClock();

it("what the previous release stored loads, and its running, queued and paused tasks complete", () => loadsAndCompletes(fixture as unknown as TasksFixture, { isdrag: "0" }));
