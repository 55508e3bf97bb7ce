/**
 * The current item's clock as the player would show it: between two progress reports (60 s of media
 * apart) the media time advances with the task's speed, so a 1× video does not sit still for a minute
 * and then jump. It snaps to every new report, never passes the item's length, and stands still while
 * the task waits (queue, caps, back-off) or is not a video or audio.
 */
import type { TaskLive } from "@shared/live";
import { useEffect, useRef, useState } from "react";
import { isMedia, WAITING } from "../lib/taskText";

/** A report is due every 60 s of media plus up to 2 s of jitter; past this much real time without one, hold still. */
const MAX_DRIFT_MS = 75_000;

export type ClockInput = Pick<TaskLive, "status" | "reason" | "current_item" | "item_current_time" | "item_total_time" | "item_progress"> & { speed?: number | null };

export function useItemClock(task: ClockInput): { time: number; progress: number } {
  const moving = task.status === "running" && !(task.reason && WAITING.has(task.reason)) && isMedia(task.current_item) && task.item_total_time > 0;
  // The report this clock counts from: a new item or a new time is a new report; a resend of the same is not.
  const key = `${task.current_item}|${task.item_current_time}|${task.item_total_time}`;
  const base = useRef({ key, at: Date.now() });
  if (base.current.key !== key) base.current = { key, at: Date.now() };
  const [, tick] = useState(0);
  useEffect(() => {
    if (!moving) return;
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [moving]);

  if (!moving) return { time: task.item_current_time, progress: task.item_progress };
  const elapsed = Math.min(Date.now() - base.current.at, MAX_DRIFT_MS) / 1000;
  const time = Math.min(task.item_total_time, task.item_current_time + elapsed * (task.speed ?? 1));
  return { time, progress: Math.min(100, (time / task.item_total_time) * 100) };
}
