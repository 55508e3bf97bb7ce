/** Every failure signal of the protocol (chaoxing-protocol.md "Failure signals"), as one discriminant. */
export type ChaoxingErrorKind =
  | "session_expired"
  | "captcha"
  | "study_cap"
  | "face_check"
  | "forbidden"
  | "not_open"
  | "transient"
  | "rate_limited"
  | "login_failed"
  /** 202: the platform's risk control (a fresh login often does not clear it). */
  | "risk_control"
  /** Content that is not ready (media still transcoding, a reply that is not JSON): that job only. */
  | "not_ready"
  | "bad_response"
  /**
   * The user's traffic goes through their relay agent and none is online (never a fallback to Cloudflare's
   * addresses, which Chaoxing blocks: chaoxing-protocol.md "Where traffic comes from").
   */
  | "relay_offline"
  /** None is online, and one of them was refused for speaking a protocol this deployment does not: it needs an update. */
  | "relay_outdated"
  /** A QR-bound account (no password to log in with) has no live session: only a new scan opens one. */
  | "login_required";

export class ChaoxingError extends Error {
  override readonly name = "ChaoxingError";
  constructor(
    readonly kind: ChaoxingErrorKind,
    message: string,
    readonly extra: { retryAfterMs?: number; reason?: string; status?: number; origin?: string } = {},
  ) {
    super(message);
  }
  /** How long to wait before going on (study cap's restTime, 429's Retry-After). */
  get retryAfterMs(): number | undefined {
    return this.extra.retryAfterMs;
  }
  /** Chaoxing's own words (login failure `msg2`), safe to show the user. */
  get reason(): string | undefined {
    return this.extra.reason;
  }
  /** The host that raised a captcha: its image and its answer belong there. */
  get origin(): string | undefined {
    return this.extra.origin;
  }
}


