import type { Config } from "../config";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface MailSender {
  send(mail: Mail): Promise<void>;
}

/** Local dev: the mail (with its reset link) goes to the log. */
const logSender: MailSender = {
  async send(mail) {
    console.log(`[mail] to=${mail.to} subject=${mail.subject}\n${mail.text}`);
  },
};

/** Production: an HTTP mail API with the Resend request shape (MAIL_API_URL, MAIL_API_KEY, MAIL_FROM). */
function resendSender(cfg: Config): MailSender {
  return {
    async send(mail) {
      const res = await fetch(cfg.MAIL_API_URL, {
        method: "POST",
        headers: { Authorization: `Bearer ${cfg.MAIL_API_KEY ?? ""}`, "Content-Type": "application/json" },
        body: JSON.stringify({ from: cfg.MAIL_FROM, to: [mail.to], subject: mail.subject, text: mail.text }),
      });
      if (!res.ok) throw new Error(`mail API answered ${res.status}`);
    },
  };
}

let override: MailSender | null = null;
/** Test hook: capture outgoing mail. */
export function setMailSenderOverride(sender: MailSender | null): void {
  override = sender;
}

export function mailSender(cfg: Config): MailSender {
  if (override) return override;
  return cfg.MAIL_SENDER === "resend" ? resendSender(cfg) : logSender;
}
