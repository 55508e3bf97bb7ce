import { clock } from "../lib/clock";
import { hex32 } from "./model";

/**
 * The platform's QR-code logins (chaoxing-protocol.md, Corrections of 2026-12, item 13): each load of the
 * passport's login page makes a code (`uuid`, `enc`); `createqr` activates it; the 学习通 app scans it
 * (type 4, with the phone user's uid and nickname), then confirms (status true, the login cookies set on
 * that poll) or cancels (type 6); an unused code expires (type 2). Tests and the control API play the phone.
 */

export type QrState = "waiting" | "scanned" | "confirmed" | "cancelled" | "expired" | "used";

export interface QrLogin {
  uuid: string;
  enc: string;
  createdAt: number;
  /** set by `createqr`: a code is shown (and scannable) only from then on */
  activatedAt: number | null;
  state: QrState;
  /** the phone user who scanned it */
  uid: string | null;
  /**
   * Made with a mobile User-Agent: its polls fail verification (type 1), as the notes warn
   * ("这里不可以用移动端 UA 否则鉴权失败"; the failure's exact form is [inferred]).
   */
  mobile: boolean;
}

/** What a poll of `getauthstatus` reads from a code. */
export type QrPoll =
  | { kind: "waiting" }
  | { kind: "scanned"; uid: string }
  | { kind: "confirmed"; uid: string }
  | { kind: "cancelled" }
  | { kind: "expired" }
  | { kind: "refused" };

/** [unverified] How long a code can be scanned: public clients just fetch a new one when told type 2. */
export const DEFAULT_QR_TTL_S = 300;

export class QrLogins {
  private seq = 0;
  private readonly codes = new Map<string, QrLogin>();

  clear(): void {
    this.codes.clear();
  }

  create(mobile: boolean, ttlS: number): QrLogin {
    const now = clock.now();
    // Codes nobody will poll again are dropped, so a page loaded in a loop does not grow the map.
    for (const [k, q] of this.codes) if (now - q.createdAt > 2 * ttlS * 1000) this.codes.delete(k);
    const n = ++this.seq;
    const q: QrLogin = {
      uuid: `${hex32(`qr-uuid:${now}:${n}`).slice(0, 8)}-${hex32(`qr-uuid2:${n}:${now}`).slice(0, 24)}`,
      enc: hex32(`qr-enc:${now}:${n}`),
      createdAt: now,
      activatedAt: null,
      state: "waiting",
      uid: null,
      mobile,
    };
    this.codes.set(q.uuid, q);
    return q;
  }

  get(uuid: string): QrLogin | undefined {
    return this.codes.get(uuid);
  }

  list(): QrLogin[] {
    return [...this.codes.values()];
  }

  /** Expired by time (from its activation, or its creation if never shown) unless already decided. */
  private age(q: QrLogin, ttlS: number): void {
    const live = q.state === "waiting" || q.state === "scanned";
    if (live && clock.now() - (q.activatedAt ?? q.createdAt) > ttlS * 1000) q.state = "expired";
  }

  /** One poll: a confirmed code answers success once, then it is used. */
  poll(uuid: string, enc: string, ttlS: number): QrPoll {
    const q = this.codes.get(uuid);
    if (!q || q.enc !== enc || q.mobile) return { kind: "refused" };
    this.age(q, ttlS);
    switch (q.state) {
      case "waiting":
        return { kind: "waiting" };
      case "scanned":
        return { kind: "scanned", uid: q.uid! };
      case "confirmed":
        q.state = "used";
        return { kind: "confirmed", uid: q.uid! };
      case "cancelled":
        return { kind: "cancelled" };
      // [inferred] a used code reads as an expired one: it can log nobody in again.
      case "expired":
      case "used":
        return { kind: "expired" };
    }
  }

  /** The code a control call means: the one named, or the newest shown code still open. */
  pick(uuid: string | undefined, ttlS: number): QrLogin {
    for (const q of this.codes.values()) this.age(q, ttlS);
    const q = uuid !== undefined
      ? this.codes.get(uuid)
      : this.list().filter((x) => x.activatedAt !== null && (x.state === "waiting" || x.state === "scanned")).at(-1);
    if (!q) throw new Error(uuid ? `no QR code ${uuid}` : "no QR code is shown and open");
    return q;
  }

  /** The app scanned it: only a shown, open code can be. */
  scan(q: QrLogin, uid: string): void {
    if (q.activatedAt === null) throw new Error(`QR code ${q.uuid} was never shown (createqr)`);
    if (q.state !== "waiting" && q.state !== "scanned") throw new Error(`QR code ${q.uuid} is ${q.state}`);
    q.state = "scanned";
    q.uid = uid;
  }

  /** The phone user confirmed or cancelled the login: only after a scan. */
  decide(q: QrLogin, to: "confirmed" | "cancelled"): void {
    if (q.state !== "scanned") throw new Error(`QR code ${q.uuid} is ${q.state}, not scanned`);
    q.state = to;
  }

  expire(q: QrLogin): void {
    if (q.state === "waiting" || q.state === "scanned") q.state = "expired";
  }
}
