import { Progress, Typography } from "antd";
import type { TaskLive } from "@shared/live";
import { clock } from "../lib/format";

/** Overall bar plus the current item with its `mm:ss / mm:ss`, for lists and cards. */
export function TaskProgress({ task, compact = false }: { task: Pick<TaskLive, "status" | "progress"> & Partial<Pick<TaskLive, "current_item" | "item_current_time" | "item_total_time">>; compact?: boolean }) {
  const status = task.status === "failed" ? "exception" : task.status === "completed" ? "success" : task.status === "running" ? "active" : "normal";
  return (
    <div style={{ minWidth: compact ? 140 : 200 }}>
      <Progress percent={task.progress} status={status} size="small" aria-label={`${task.progress}%`} />
      {task.status === "running" && task.current_item && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }} ellipsis>
          {task.current_item}
          {task.item_total_time ? <span className="mono"> · {clock(task.item_current_time ?? 0)} / {clock(task.item_total_time)}</span> : null}
        </Typography.Text>
      )}
    </div>
  );
}
