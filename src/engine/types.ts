import type { ChapterCards } from "../chaoxing/types";
import type { UpstreamUrls } from "../chaoxing/urls";
import type { ParamsOf, TextCode, TextParams } from "../shared/texts";
import type { OpError, OpName, OpOf, Reply, WaitReason } from "../durable/account-ops";
import type { LogEvent } from "./log";
import type { CourseEntry, EngineState } from "./state";

/**
 * The types every phase of a step shares: the step's file (src/engine/step.ts) dispatches to the phase
 * modules, which all stand on these, so none of them needs another's (nor the step's) to be typed.
 */

/** What a step may ask of the world: Chaoxing calls through the account, and its one-video lock. */
export interface EngineIO {
  call<K extends OpName>(op: OpOf<K>): Promise<Reply<K>>;
  acquireVideo(): Promise<{ granted: boolean; position: number }>;
  releaseVideo(): Promise<void>;
  now(): number;
  /** [0, 1): jitter. */
  random(): number;
  /** The configured Chaoxing hosts, for the links in `left_for_user`. */
  urls: UpstreamUrls;
}

export type PauseReason = "captcha" | "notopen_ask" | "risk_control" | "relay_offline" | "relay_outdated" | "login_required";

export type Outcome =
  | { kind: "next"; delayMs: number; reason?: "waiting_for_account" | "study_cap" | "upstream" | WaitReason | null; queuePosition?: number }
  | { kind: "pause"; reason: PauseReason; chapter?: string }
  /**
   * `quiet`: a completed task's morning check found nothing rolled back: no news for the user. `checkAt`:
   * it could not check yet (outside the account's study window): completed again until then.
   */
  | { kind: "complete"; quiet?: boolean; checkAt?: number }
  | { kind: "fail"; message: string; code: FailCode; params: TextParams };

export type { LogEvent };
export type FailCode = Extract<TextCode, `fail.${string}`>;
export type LeftCode = Extract<TextCode, `left.${string}`>;
/** Why an item is left for the user: a `left.*` code and its parameters. */
export type Why = { [C in LeftCode]: keyof ParamsOf<C> extends never ? [C] : [C, ParamsOf<C>] }[LeftCode];

export interface StepResult {
  outcome: Outcome;
  logs: LogEvent[];
  /** A failure signal seen upstream, for the admin statistics. */
  signal?: string;
  /** Media the platform rolled back, found by this step's check and now studied again: the user is told. */
  rolledBack?: number;
}

/** What the bookkeeping functions need: the state, the step's log, and the hosts for links. */
export interface Book {
  s: EngineState;
  logs: LogEvent[];
  io: Pick<EngineIO, "urls">;
}

export interface Ctx extends Book {
  io: EngineIO;
  signal?: string;
  /** A Chaoxing call of this step succeeded: only that ends a run of failures (waits do not). */
  okCall?: boolean;
  rolledBack?: number;
}

export type Failed = { ok: false; error: OpError } | { ok: false; waitMs: number; reason?: WaitReason | null };

/**
 * Where a media job is played: the walk's current job, or (phase "verify") one the platform rolled back,
 * studied again. Its course and chapter for the calls, what a re-read card of its tab adds to the walk, and
 * what its end means for the walk or the check.
 */
export interface Spot {
  course: CourseEntry;
  chapter: { id: string; title: string };
  merge(cards: ChapterCards): void;
  /** Passed: counted (once); else left for the user with `why`. */
  finish(passed: boolean, why?: Why): void;
}

/**
 * What the phases get from the step's file at run time: its failure handling, which may end the course or
 * restart the player, so it stands above every phase. Handed over, so that no phase imports the step.
 */
export interface Kit {
  onFailure(ctx: Ctx, r: Failed, unexpected?: (e: OpError) => Outcome | Promise<Outcome>): Outcome | Promise<Outcome>;
}
