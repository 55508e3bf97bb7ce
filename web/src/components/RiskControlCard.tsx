import { SafetyCertificateOutlined } from "@ant-design/icons";
import { Alert, Button, Spin, Typography } from "antd";
import { useEffect, useState } from "react";
import type { Task } from "../api/queries";
import { useI18n } from "../i18n";
import { whenTime } from "../lib/format";
import { useTaskAction } from "./TaskActions";

/**
 * How long after risk control paused a task a resume is offered. Chaoxing lifts it by itself after a while;
 * probing sooner only answers 202 again, and each probe is one more request from an account it watches.
 */
export const RISK_COOL_DOWN_MS = 30 * 60_000;

/** When risk control last paused the task: its log line, else the task's own clock. */
function pausedAt(d: Task): number {
  const line = d.logs.findLast((l) => l.code === "wait.risk_control");
  return Date.parse(line?.created_at ?? d.end_time ?? d.start_time ?? new Date().toISOString());
}

/**
 * Risk control, like the captcha card: what happened, what to do, and a resume only once the cool-down
 * is over. While a resume is being checked (`risk_check`), it says so instead of showing the task as
 * studying: the server itself does not know yet.
 */
export function RiskControlCard({ task: d }: { task: Task }) {
  const { t } = useI18n();
  const act = useTaskAction();
  const [now, setNow] = useState(() => Date.now());
  const until = pausedAt(d) + RISK_COOL_DOWN_MS;
  const waiting = d.status === "paused" && now < until;
  useEffect(() => {
    if (!waiting) return;
    const id = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(id);
  }, [waiting]);

  if (d.status === "running" && d.reason === "risk_check") {
    return (
      <Alert
        type="info"
        showIcon
        icon={<Spin size="small" />}
        style={{ marginBottom: 16 }}
        title={t("risk.checking")}
        description={t("risk.checkingBody")}
        role="status"
        data-testid="risk-card"
        data-state="checking"
      />
    );
  }
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return (
    <Alert
      type="warning"
      showIcon
      icon={<SafetyCertificateOutlined />}
      style={{ marginBottom: 16 }}
      title={t("risk.title")}
      data-testid="risk-card"
      data-state={waiting ? "cooling" : "ready"}
      description={
        <>
          <Typography.Paragraph style={{ marginBottom: 8 }}>{t("risk.what")}</Typography.Paragraph>
          <ol style={{ margin: "0 0 8px", paddingInlineStart: 20 }}>
            <li>{t("risk.step1")}</li>
            <li>{t("risk.step2")}</li>
            <li>{t("risk.step3")}</li>
          </ol>
          {waiting ? (
            <Typography.Text type="secondary" data-testid="risk-wait">
              {t("risk.wait", { time: whenTime(until), n: minutes })}
            </Typography.Text>
          ) : (
            <Button loading={act.isPending} onClick={() => act.mutate({ id: d.id, action: "resume" })} data-testid="risk-resume">
              {t("risk.resume")}
            </Button>
          )}
        </>
      }
    />
  );
}
