import type { TaskStatus } from "@shared/live";
import { Tag, Tooltip } from "antd";
import { useI18n } from "../i18n";
import { reasonText, type ReasonInput, type Viewer } from "../lib/taskText";

export const STATUSES: TaskStatus[] = ["pending", "running", "paused", "completed", "failed", "cancelled"];

const COLORS: Record<TaskStatus, string> = {
  pending: "default",
  running: "processing",
  paused: "warning",
  completed: "success",
  failed: "error",
  cancelled: "default",
};

/** Reasons that wait for the owner to do something: shown in orange. */
const ASKS = new Set(["captcha", "notopen_ask", "needs_you", "risk_control", "risk_check", "relay_offline", "relay_outdated", "login_required"]);

/** Status tag for all six statuses, with the finer `reason` beside it, worded for who is looking. */
export function StatusTag({ task, viewer = "self" }: { task: ReasonInput; viewer?: Viewer }) {
  const { t } = useI18n();
  const why = reasonText(task, viewer, t);
  // A task done with items left is not the plain green "done".
  const color = task.status === "completed" && task.reason === "needs_you" ? "warning" : COLORS[task.status];
  // Resumed from risk control, no Chaoxing answer yet: the server does not know it studies, nor do we.
  const checking = task.status === "running" && task.reason === "risk_check";
  return (
    <span style={{ display: "inline-flex", gap: 4, flexWrap: "wrap", alignItems: "center" }}>
      <Tag color={checking ? "warning" : color} style={{ marginInlineEnd: 0 }}>
        {t(checking ? "status.checking" : `status.${task.status}`)}
      </Tag>
      {why && (
        <Tooltip title={task.reason === "waiting_for_account" && task.queue_position ? t("reason.waiting_for_account") : undefined}>
          <Tag variant="filled" color={task.reason && ASKS.has(task.reason) ? "orange" : undefined} style={{ marginInlineEnd: 0, whiteSpace: "normal" }}>
            {why}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}
