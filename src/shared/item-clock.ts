/**
 * The current video's clock, as the server sends it and the task page moves it between reports: it
 * advances only at the speed actually in use (`speed`, 0 while it stands still: a wait, a pause, the end
 * reached), never past where the next report is expected (`limit`), and never below where it was (`time`,
 * at least the reported position). Pure: the dashboard bundles it.
 */
export interface ItemClock {
  /** Seconds into the media at the instant it was read. */
  time: number;
  /** Media seconds per real second from then on. */
  speed: number;
  /** It stops here until the next report moves it. */
  limit: number;
}

/** Where the clock stands `elapsedMs` after it was read. */
export const clockAfter = (c: ItemClock, elapsedMs: number): number =>
  Math.max(c.time, Math.min(c.limit, c.time + (Math.max(0, elapsedMs) / 1000) * c.speed));
