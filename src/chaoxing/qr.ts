import { ChaoxingError } from "./errors";

/**
 * The QR-code login's pages and replies (chaoxing-protocol.md, Corrections of 2026-12, item 13): the
 * login page's `input#uuid`/`input#enc`, and what a `getauthstatus` poll answers. The requests are the
 * client's (`ChaoxingClient.qrStart`, `qrPoll`); this reads them.
 */

/** A code the user scans with the 学习通 app: polled with `uuid` and `enc`; `image` is the platform's own PNG. */
export interface QrCode {
  uuid: string;
  enc: string;
  image: Uint8Array;
  contentType: string;
}

export type QrStatus =
  /** type 3: not scanned yet */
  | { state: "waiting" }
  /** type 4: scanned; the phone's user is asked to confirm */
  | { state: "scanned"; uid: string; nickname: string }
  /** status true: the login cookies are in the jar */
  | { state: "logged_in" }
  /** type 2: a new code is needed */
  | { state: "expired" }
  /** type 6: the phone's user said no */
  | { state: "cancelled" }
  /** type 1: the platform did not accept the code's check */
  | { state: "refused"; message: string };

/** The value of `<input id="…" value="…">`, whatever the attribute order. */
function inputValue(html: string, id: string): string | null {
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    if (!new RegExp(`\\bid\\s*=\\s*["']${id}["']`, "i").test(tag)) continue;
    return /\bvalue\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? null;
  }
  return null;
}

/** The code's `uuid` and `enc` from the login page; a page without them is not the desktop login page. */
export function parseQrInputs(html: string): { uuid: string; enc: string } {
  const uuid = inputValue(html, "uuid");
  const enc = inputValue(html, "enc");
  if (!uuid || !enc) throw new ChaoxingError("bad_response", "超星登录页没有二维码参数（uuid/enc）");
  return { uuid, enc };
}

export function parseAuthStatus(body: Record<string, unknown>): QrStatus {
  if (body.status === true) return { state: "logged_in" };
  const message = String(body.mes ?? body.msg ?? "");
  switch (String(body.type ?? "")) {
    case "3":
      return { state: "waiting" };
    case "4":
      return { state: "scanned", uid: String(body.uid ?? ""), nickname: String(body.nickname ?? "") };
    case "2":
      return { state: "expired" };
    case "6":
      return { state: "cancelled" };
    case "1":
      return { state: "refused", message };
    default:
      throw new ChaoxingError("bad_response", `扫码登录状态返回了意外内容: ${JSON.stringify(body).slice(0, 80)}`);
  }
}
