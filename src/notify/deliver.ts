import { config } from "../config";
import { clock } from "../../shared/clock";
import { mailSender } from "../lib/mail";
import { checkChannelUrl, openSecrets, type ChannelRow } from "./channels";
import { brand, plainText, type Notice } from "./messages";
import { buildRequest, judge, safeExcerpt, targetOf, type Verdict } from "./providers";
import { send } from "./sender";

/** One try of one channel: what the provider said, safe to store and to show. */
export interface Attempt {
  verdict: Verdict;
  /** The provider's HTTP status; null when there was no HTTP answer (e-mail, network error, refused target). */
  status: number | null;
  excerpt: string;
}

/** Sends `notice` through one channel. Never throws: every outcome is an Attempt. */
export async function deliverTo(env: Env, row: ChannelRow, email: string, notice: Notice): Promise<Attempt> {
  if (row.kind === "email") {
    try {
      await mailSender(config(env)).send({ to: email, subject: `[${brand(notice.language)}] ${notice.title}`, text: plainText(notice) });
      return { verdict: "sent", status: null, excerpt: "" };
    } catch (e) {
      // The mail API's status is in the message; whatever went wrong may pass, so retry.
      return { verdict: "retry", status: null, excerpt: safeExcerpt(String(e), {}) };
    }
  }
  const secrets = await openSecrets(env, row);
  // Checked at every send, not only when saved: the rules or the allowed origins may have changed since.
  const target = checkChannelUrl(env, row.kind, targetOf(row.kind, secrets));
  if (!target.ok) return { verdict: "failed", status: null, excerpt: target.reason };
  const req = await buildRequest(row.kind, secrets, notice, clock.now());
  try {
    const answer = await send(req);
    return { verdict: judge(row.kind, answer), status: answer.status, excerpt: safeExcerpt(answer.body, secrets) };
  } catch (e) {
    return { verdict: "retry", status: null, excerpt: safeExcerpt(`network error: ${e instanceof Error ? e.message : String(e)}`, secrets) };
  }
}
