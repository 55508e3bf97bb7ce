import type { TaskLive } from "@shared/live";
import { Progress, Typography } from "antd";
import { clock, pct, pctFormat } from "../lib/format";
import { useItemClock, type ClockInput } from "../live/itemClock";
import { UserData } from "./UserData";

type Input = Pick<TaskLive, "status" | "progress" | "reason"> & Partial<ClockInput>;

const IDLE = { current_item: null, item_current_time: 0, item_total_time: 0, item_progress: 0 };

/** Overall bar plus the current item with its `mm:ss / mm:ss`, for lists and cards. */
export function TaskProgress({ task, compact = false }: { task: Input; compact?: boolean }) {
  const live = { ...IDLE, ...task } as ClockInput;
  const { time } = useItemClock(live);
  const needsYou = task.status === "completed" && task.reason === "needs_you";
  const status = task.status === "failed" ? "exception" : task.status === "completed" && !needsYou ? "success" : task.status === "running" ? "active" : "normal";
  return (
    <div style={{ minWidth: compact ? 0 : 200, maxWidth: "100%" }}>
      <Progress percent={task.progress} status={status} size="small" format={pctFormat(task.progress)} aria-label={`${pct(task.progress)}%`} />
      {task.status === "running" && live.current_item && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }} ellipsis>
          <UserData>{live.current_item}</UserData>
          {live.item_total_time ? <span className="mono"> · {clock(time)} / {clock(live.item_total_time)}</span> : null}
        </Typography.Text>
      )}
    </div>
  );
}
