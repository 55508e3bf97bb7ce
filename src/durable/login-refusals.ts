/**
 * Guessing a Chaoxing password through us: after MAX refused passwords within WINDOW_MS, a user's
 * account object sends no login with *new* credentials to Chaoxing until the oldest refusal ages out; the
 * credentials that opened its current session are exempt (the caller checks). Counted per user's binding
 * of the phone, never per phone: refusals from anyone else must not lock the owner's correct password
 * out, and before any session exists there is no telling the owner's first try from a guess. So a
 * guesser gets MAX tries per 30 minutes per user account (sign-ups are throttled per address). Kept in
 * storage (a row per refusal, none otherwise) so an eviction between slow guesses does not reset it.
 */
import { getVersioned } from "../lib/versioned";
import { REFUSALS_RECORD } from "./binding-records";

const MAX = 5;
const WINDOW_MS = 30 * 60_000;
const KEY = "refusals";

export interface RefusalsRecord {
  v: 2;
  at: number[];
}

export class LoginRefusals {
  constructor(private readonly kv: SyncKvStorage) {}

  private recent(now: number): number[] {
    return (getVersioned(this.kv, KEY, REFUSALS_RECORD)?.at ?? []).filter((t) => now - t < WINDOW_MS);
  }

  /** How long new credentials must wait before Chaoxing sees them (0: they may try now). */
  waitMs(now: number): number {
    const recent = this.recent(now);
    return recent.length >= MAX ? recent[recent.length - MAX]! + WINDOW_MS - now : 0;
  }

  record(now: number): void {
    this.kv.put(KEY, { v: 2, at: [...this.recent(now), now].slice(-MAX) } satisfies RefusalsRecord);
  }
}
