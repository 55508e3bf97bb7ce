import type { LogLevel } from "../shared/live";
import { renderText, type ParamsOf, type TextCode, type TextParams } from "../shared/texts";

/** A log line: its event code and parameters (src/shared/texts.ts), and the Chinese text rendered from them. */
export interface LogEvent {
  level: LogLevel;
  message: string;
  /** Absent only on lines queued before codes existed (an old checkpoint's outbox). */
  code?: TextCode;
  params?: TextParams;
}

/** A code's arguments: none for a sentence without parameters, else all of its own (plus a nested code's). */
export type ArgsOf<C extends TextCode> = keyof ParamsOf<C> extends never ? [params?: TextParams] : [params: ParamsOf<C> & TextParams];

/** A log line from its code: the stored `message` is the zh template filled in, so the two cannot disagree. */
export function logLine<C extends TextCode>(level: LogLevel, code: C, ...[params = {}]: ArgsOf<C>): LogEvent {
  return { level, code, params, message: renderText("zh", code, params) };
}
