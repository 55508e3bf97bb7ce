import { clock } from "../../shared/clock";
import { CALL_GAP_MS, REPORT_GAP_MS, REPORT_JITTER_MS } from "../shared/pacing";
import type { Transport } from "./transport";

/**
 * Progress reports, and a live replay's minutes (`saveTimePc`, the live player's report), are paced apart
 * from ordinary calls.
 */
export const isReportUrl = (url: string): boolean => {
  const path = new URL(url).pathname;
  return path.includes("/multimedia/log/") || path.endsWith("/saveTimePc");
};

/**
 * One Chaoxing account's requests, paced per HTTP request whoever sends them and whichever way they leave
 * (a user's clicks are the account's requests too: unpaced, 20 course-list refreshes once became 300
 * requests in 1.9 s). One request is in flight at a time, and each waits (`clock.sleep`: a real timer in
 * production, so the wait costs no CPU time) until CALL_GAP_MS after the previous one ended, a report also
 * until REPORT_GAP_MS plus jitter after the previous report. Gaps count from the end of the previous
 * request, so they hold wherever the far side measures them.
 *
 * The account object keeps one of these and sends every request through `over(egress)`. Its automated
 * callers (alarms) ask `waitMs` first and come back later instead of sleeping when their first request
 * is not due; inside a call of several requests, and for interactive callers, the transport waits.
 */
export class Pacer {
  private nextCallAt = 0;
  private nextReportAt = 0;
  /** Requests queued or in flight. */
  private pending = 0;
  private tail: Promise<unknown> = Promise.resolve();

  /** How long a request of this kind would wait now: 0 when it could go at once. */
  waitMs(report: boolean): number {
    // Others queued or in flight: when they end is not known, so one gap is the honest guess.
    return Math.max(this.dueAt(report) - clock.now(), this.pending > 0 ? CALL_GAP_MS : 0, 0);
  }

  /** A transport that sends through `inner` (the caller's egress), in turn with every other request of the account. */
  over(inner: Transport): Transport {
    return { fetch: (req) => this.send(inner, req) };
  }

  private send(inner: Transport, req: Request): Promise<Response> {
    const report = isReportUrl(req.url);
    this.pending++;
    const run = this.tail.then(async () => {
      try {
        await clock.sleep(this.dueAt(report) - clock.now());
        return await inner.fetch(req);
      } finally {
        this.pending--;
        const end = clock.now();
        this.nextCallAt = end + CALL_GAP_MS;
        if (report) this.nextReportAt = end + REPORT_GAP_MS + Math.floor(Math.random() * REPORT_JITTER_MS);
      }
    });
    // The next request starts after this one settles, however it ends.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private dueAt(report: boolean): number {
    return Math.max(this.nextCallAt, report ? this.nextReportAt : 0);
  }
}
