import { ChaoxingClient } from "../chaoxing/client";
import { CookieJar, type SerializedJar } from "../chaoxing/cookies";
import { ChaoxingError } from "../chaoxing/errors";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import { config } from "../config";
import { clock } from "../../shared/clock";
import { toBase64 } from "../../shared/encoding";
import { open, seal } from "../lib/secretbox";
import { getVersioned, putVersioned } from "../lib/versioned";
import { toOpError, type OpError } from "./account-ops";
import { QR_PENDING_RECORD } from "./binding-records";
import { phoneName, PhoneLine } from "./phone";

/**
 * A user's QR-code login in progress (chaoxing-protocol.md, Corrections of 2026-12, item 13). Before the
 * scan nobody knows which Chaoxing account will be opened, so the login runs in an account object of its
 * own (`qrLoginName`), paced on a line of the user's own and sent through the user's egress like every
 * other call; once the 学习通 app confirms, the session's profile names the phone, and the cookies move to
 * that phone's binding (`AccountObject.adoptQrSession`). No password is asked, sent or kept.
 */
export const qrLoginName = (userId: number): string => `acct:${userId}:qr`;
export const isQrLoginName = (name: string): boolean => /^acct:\d+:qr$/.test(name);

/**
 * [unverified] How long the platform lets a code be scanned (the simulator's 300 s; public clients just
 * fetch a new code on type 2): the dashboard shows it as a countdown, the poll's `expired` decides.
 */
const QR_TTL_MS = 300_000;

export interface QrStarted {
  /** The platform's own PNG as a data URL: the page shows it as it is. */
  image: string;
  expiresAt: number;
}

export type QrPolled =
  | { status: "not_scanned" | "expired" | "cancelled" }
  | { status: "scanned"; nickname: string }
  /** The scan opened `phone`'s account; `jar` is its session (serialized), for the phone's binding. */
  | { status: "logged_in"; nickname: string; phone: string; jar: string }
  | { status: "error"; error: OpError };

const KEY = "qr";

export class PendingQr {
  constructor(
    private readonly env: Env,
    private readonly kv: SyncKvStorage,
    private readonly userId: number,
  ) {}

  /** A line of the user's own (not a phone's: none is known yet), through the user's egress. */
  private client(jar?: CookieJar): ChaoxingClient {
    const line = new PhoneLine(this.env.PHONES.getByName(phoneName(`qr-${this.userId}`)), this.userId, true);
    return new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar, transport: line });
  }

  private sealedAs(): string {
    return qrLoginName(this.userId);
  }

  async start(): Promise<QrStarted | { error: OpError }> {
    const client = this.client();
    try {
      const code = await client.qrStart();
      const expiresAt = clock.now() + QR_TTL_MS;
      const jar = await seal(JSON.stringify(client.jar.toJSON()), config(this.env).CX_ENCRYPTION_KEY, this.sealedAs());
      putVersioned(this.kv, KEY, QR_PENDING_RECORD, { uuid: code.uuid, enc: code.enc, jar, expiresAt });
      return { image: `data:${code.contentType};base64,${toBase64(code.image)}`, expiresAt };
    } catch (e) {
      return { error: toOpError(e) };
    }
  }

  async poll(): Promise<QrPolled> {
    // None, or one this release cannot read (a later release's, after a rollback): scan a new code.
    const p = getVersioned(this.kv, KEY, QR_PENDING_RECORD);
    if (!p) return { status: "expired" };
    const key = config(this.env).CX_ENCRYPTION_KEY;
    const client = this.client(CookieJar.fromJSON(JSON.parse(await open(p.jar, key, this.sealedAs())) as SerializedJar));
    try {
      const s = await client.qrPoll(p);
      switch (s.state) {
        case "waiting":
          return { status: "not_scanned" };
        case "scanned":
          return { status: "scanned", nickname: s.nickname };
        case "expired":
        case "cancelled":
          this.kv.delete(KEY);
          return { status: s.state };
        case "refused":
          this.kv.delete(KEY);
          throw new ChaoxingError("bad_response", `超星未接受二维码: ${s.message || "验证失败"}`);
        case "logged_in": {
          this.kv.delete(KEY);
          const who = await client.accountInfo();
          if (!who.phone) throw new ChaoxingError("login_failed", "该超星账号没有绑定手机号，请用手机号和密码登录", { reason: "该超星账号没有绑定手机号" });
          return { status: "logged_in", nickname: who.name, phone: who.phone, jar: JSON.stringify(client.jar.toJSON()) };
        }
      }
    } catch (e) {
      return { status: "error", error: toOpError(e) };
    }
  }
}
