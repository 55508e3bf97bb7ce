/**
 * Guessing a Chaoxing password through us (issue 11 row 6): every user who saves a phone may make the
 * account object log in with their guess, and each refused guess used to cost only that guess. Now
 * after MAX refusals for the phone within WINDOW_MS, the account object sends no login with *new*
 * credentials to Chaoxing until the oldest refusal ages out. The credentials that opened the current
 * session are exempt (the caller checks), so a stranger's guesses cannot lock the owner out of a
 * working session. Kept in the object's storage (a row per refusal, none otherwise) so an eviction
 * between slow guesses does not reset the count.
 */
const MAX = 5;
const WINDOW_MS = 30 * 60_000;
const KEY = "login-refusals";

export class LoginRefusals {
  constructor(private readonly kv: SyncKvStorage) {}

  private recent(now: number): number[] {
    return (this.kv.get<number[]>(KEY) ?? []).filter((t) => now - t < WINDOW_MS);
  }

  /** How long new credentials must wait before Chaoxing sees them (0: they may try now). */
  waitMs(now: number): number {
    const recent = this.recent(now);
    return recent.length >= MAX ? recent[recent.length - MAX]! + WINDOW_MS - now : 0;
  }

  record(now: number): void {
    this.kv.put(KEY, [...this.recent(now), now].slice(-MAX));
  }
}
