import { hmacSha256, toBase64, toHex } from "../../shared/encoding";
import type { NotifyChannel, Secrets } from "../shared/notify";
import { plainText, type Notice } from "./messages";
import type { ProviderAnswer } from "./sender";

export type HttpChannel = Exclude<NotifyChannel, "email">;

/** The official hosts of the group robots: their webhook URLs must point there (or at an allowed origin). */
export const ROBOT_HOSTS: Partial<Record<HttpChannel, readonly string[]>> = {
  wecom: ["qyapi.weixin.qq.com"],
  dingtalk: ["oapi.dingtalk.com"],
  feishu: ["open.feishu.cn", "open.larksuite.com"],
};

/** The URL a channel sends to (checked against the target rules before every send). */
export function targetOf(channel: HttpChannel, s: Secrets): string {
  switch (channel) {
    case "serverchan": {
      // Server酱³ keys carry the uid (`sctp<uid>t…`) and have a host of their own
      // (https://doc2.ft07.com/serverchan3/server/api); Turbo keys go to sctapi.ftqq.com (https://sct.ftqq.com).
      const key = s.sendkey ?? "";
      const uid = /^sctp(\d+)t/i.exec(key)?.[1];
      return uid ? `https://${uid}.push.ft07.com/send/${key}.send` : `https://sctapi.ftqq.com/${key}.send`;
    }
    case "pushplus":
      return "https://www.pushplus.plus/send";
    case "bark":
      return (s.device_url ?? "").replace(/\/+$/, "");
    case "webhook":
      return s.url ?? "";
    default:
      return s.webhook_url ?? "";
  }
}

const json = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", headers: { "Content-Type": "application/json", "User-Agent": "chaoxing-edge-notify/1", ...headers }, body: JSON.stringify(body) });

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The exact request a provider receives for `notice`. `now` (ms) stamps the signatures. */
export async function buildRequest(channel: HttpChannel, s: Secrets, notice: Notice, now: number): Promise<Request> {
  const url = targetOf(channel, s);
  const text = plainText(notice);
  switch (channel) {
    case "serverchan":
      // Turbo shows at most 32 characters of a title; the body (desp) is Markdown.
      return json(url, { title: cut(notice.title, 32), desp: notice.link ? `${notice.text}\n\n[${notice.linkLabel}](${notice.link})` : notice.text });
    case "pushplus":
      // https://www.pushplus.plus/doc/guide/api.html: POST JSON {token, title, content, template}; `txt` keeps our plain text.
      return json(url, { token: s.token, title: notice.title, content: text, template: "txt" });
    case "bark":
      // https://bark.day.app/#/en-us/: POST JSON to the device URL; `url` opens the task when tapped.
      return json(url, { title: notice.title, body: notice.text, ...(notice.link ? { url: notice.link } : {}), group: "chaoxing-edge" });
    case "wecom":
      // https://developer.work.weixin.qq.com/document/path/91770: text content up to 2048 bytes.
      return json(url, { msgtype: "text", text: { content: cut(text, 600) } });
    case "dingtalk": {
      // https://open.dingtalk.com/document/robots/customize-robot-security-settings ("加签"): sign =
      // urlEncode(base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret))), timestamp in ms,
      // both appended to the webhook URL.
      let target = url;
      if (s.secret) {
        const sign = toBase64(await hmacSha256(s.secret, `${now}\n${s.secret}`));
        target += `${url.includes("?") ? "&" : "?"}timestamp=${now}&sign=${encodeURIComponent(sign)}`;
      }
      return json(target, { msgtype: "text", text: { content: text } });
    }
    case "feishu": {
      // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot ("签名校验"): the key is
      // timestamp + "\n" + secret and the signed message is empty; timestamp in seconds, both in the body.
      const body: Record<string, unknown> = { msg_type: "text", content: { text } };
      if (s.secret) {
        const ts = Math.floor(now / 1000);
        body.timestamp = String(ts);
        body.sign = toBase64(await hmacSha256(`${ts}\n${s.secret}`, ""));
      }
      return json(url, body);
    }
    case "webhook": {
      // Our own format (README "Generic webhook"): the receiver recomputes the signature over
      // `<timestamp>.<raw body>` and refuses old timestamps, so a captured request cannot be replayed later.
      const ts = Math.floor(now / 1000);
      const body = JSON.stringify({
        id: notice.id,
        event: notice.event,
        task_id: notice.taskId,
        task_name: notice.taskName,
        title: notice.title,
        text: notice.text,
        link: notice.link,
        language: notice.language,
        occurred_at: notice.occurredAt,
      });
      const signature = `sha256=${toHex(await hmacSha256(s.secret ?? "", `${ts}.${body}`))}`;
      return new Request(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "chaoxing-edge-notify/1",
          "X-Chaoxing-Edge-Event": notice.event,
          "X-Chaoxing-Edge-Delivery": notice.id,
          "X-Chaoxing-Edge-Timestamp": String(ts),
          "X-Chaoxing-Edge-Signature": signature,
        },
        body,
      });
    }
  }
}

export type Verdict = "sent" | "retry" | "failed";

/**
 * Whether the provider took the message. 5xx, 429 and 408 are worth retrying; any other non-2xx is a
 * refusal (a wrong key stays wrong). The robots and push services answer 200 with their own code.
 */
export function judge(channel: NotifyChannel, a: ProviderAnswer): Verdict {
  if (a.status >= 500 || a.status === 429 || a.status === 408) return "retry";
  if (a.status < 200 || a.status >= 300) return "failed";
  if (channel === "webhook" || channel === "email") return "sent";
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    return "failed";
  }
  switch (channel) {
    case "serverchan":
      return body.code === 0 ? "sent" : "failed";
    case "pushplus":
    case "bark":
      return body.code === 200 ? "sent" : "failed";
    case "wecom":
    case "dingtalk":
      return body.errcode === 0 ? "sent" : "failed";
    case "feishu":
      // Current answers carry `code`; older ones `StatusCode`.
      return body.code === 0 || body.StatusCode === 0 ? "sent" : "failed";
  }
}

/**
 * A short excerpt of an answer that is safe to store and show: every secret of the channel (and the
 * key-like parts of its URLs: path segments and query values) replaced by `***`, control characters
 * dropped, at most 200 characters.
 */
export function safeExcerpt(body: string, secrets: Secrets): string {
  const hidden = new Set<string>();
  for (const v of Object.values(secrets)) {
    if (!v) continue;
    hidden.add(v);
    try {
      const u = new URL(v);
      for (const seg of u.pathname.split("/")) if (seg.length >= 6) hidden.add(decodeURIComponent(seg));
      for (const q of u.searchParams.values()) if (q.length >= 6) hidden.add(q);
    } catch {
      /* not a URL: the value itself is hidden */
    }
  }
  let out = body;
  for (const h of [...hidden].sort((a, b) => b.length - a.length)) out = out.split(h).join("***");
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return cut(out, 200);
}
