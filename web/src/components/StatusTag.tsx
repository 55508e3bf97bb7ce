import type { TaskStatus } from "@shared/live";
import { Tag, Tooltip } from "antd";
import { useI18n, type MessageKey } from "../i18n";

export const STATUSES: TaskStatus[] = ["pending", "running", "paused", "completed", "failed", "cancelled"];

const COLORS: Record<TaskStatus, string> = {
  pending: "default",
  running: "processing",
  paused: "warning",
  completed: "success",
  failed: "error",
  cancelled: "default",
};

const REASONS = new Set([
  "waiting_for_account", "study_cap", "captcha", "notopen_ask", "user", "admin", "account_disabled", "upstream",
  "relay_offline", "outside_window", "daily_cap",
]);

export function reasonText(reason: string | null, queue: number | null, t: ReturnType<typeof useI18n>["t"]): string | null {
  if (!reason) return null;
  if (reason === "waiting_for_account" && queue) return t("reason.queue", { n: queue });
  return REASONS.has(reason) ? t(`reason.${reason}` as MessageKey) : reason;
}

/** Status tag for all six statuses, with the finer `reason` beside it. */
export function StatusTag({ status, reason, queue = null }: { status: TaskStatus; reason?: string | null; queue?: number | null }) {
  const { t } = useI18n();
  const why = reasonText(reason ?? null, queue, t);
  return (
    <span style={{ display: "inline-flex", gap: 4, flexWrap: "wrap", alignItems: "center" }}>
      <Tag color={COLORS[status]} style={{ marginInlineEnd: 0 }}>
        {t(`status.${status}`)}
      </Tag>
      {why && (
        <Tooltip title={reason === "waiting_for_account" && queue ? t("reason.waiting_for_account") : undefined}>
          <Tag variant="filled" color={reason === "captcha" || reason === "notopen_ask" || reason === "relay_offline" ? "orange" : undefined} style={{ marginInlineEnd: 0 }}>
            {why}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}
