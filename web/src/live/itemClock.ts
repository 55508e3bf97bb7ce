/**
 * The current item's clock as the player would show it, from what the server says of it
 * (src/shared/item-clock.ts): between two reports it moves at the speed actually in use (`item_speed`:
 * 1× in a course that forbids more, 0 while the task waits or is paused), stops where the next report
 * is expected (`item_time_limit`), and never goes back for the same item, whatever a report or a wait does.
 */
import { clockAfter } from "@shared/item-clock";
import type { TaskLive } from "@shared/live";
import { useEffect, useRef, useState } from "react";
import { isMedia } from "../lib/taskText";

export type ClockInput = Pick<TaskLive, "status" | "current_item" | "item_current_time" | "item_total_time" | "item_progress"> &
  Partial<Pick<TaskLive, "item_speed" | "item_time_limit" | "item_rewatch">>;

export function useItemClock(task: ClockInput): { time: number; progress: number } {
  const speed = task.item_speed ?? 0;
  const moving = task.status === "running" && speed > 0 && isMedia(task.current_item) && task.item_total_time > 0;
  // The reading this clock counts from: new figures are a new reading; a resend of the same is not.
  const key = `${task.current_item}|${task.item_current_time}|${task.item_time_limit}|${speed}`;
  const base = useRef({ key, at: Date.now() });
  if (base.current.key !== key) base.current = { key, at: Date.now() };
  // The furthest shown for this playthrough of the item: the clock never goes back. A re-watch from the
  // start (an end the platform did not credit) is a new playthrough: its clock starts again.
  const playthrough = `${task.current_item}|${task.item_rewatch === true}`;
  const shown = useRef({ playthrough, time: 0 });
  if (shown.current.playthrough !== playthrough) shown.current = { playthrough, time: 0 };
  const [, tick] = useState(0);
  useEffect(() => {
    if (!moving) return;
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [moving]);

  const now = moving
    ? clockAfter({ time: task.item_current_time, speed, limit: task.item_time_limit ?? task.item_total_time }, Date.now() - base.current.at)
    : task.item_current_time;
  const time = Math.min(task.item_total_time || Infinity, Math.max(shown.current.time, now));
  shown.current.time = time;
  return { time, progress: task.item_total_time ? Math.min(100, (time / task.item_total_time) * 100) : task.item_progress };
}
