/**
 * Task log lines from their event `code` and `params` (issue 17: the server stores both with each line
 * and keeps the Chinese `message` for old clients). A line without a code, or with one this catalogue
 * does not know, shows its `message`. The codes below are the dashboard's side of that contract, one
 * per kind of line the engine writes today (src/engine/step.ts, src/durable/task.ts); README "The
 * dashboard" lists them. Loaded only with the pages that show logs.
 *
 * In a template, `{name}` is a parameter. Parameters named in USER_PARAMS are the user's or Chaoxing's
 * words (course, chapter and item names) and are shown as written; `notopen` and `reason` are codes
 * translated here; numbers are shown as they are.
 */
import type { Lang } from ".";

type Catalogue = Record<string, string>;

const zh: Catalogue = {
  "task.started": "任务已启动（{speed}×，未开放章节：{notopen}）",
  "task.paused": "任务已暂停",
  "task.resumed": "任务已继续",
  "task.retried": "任务重试：从上次的位置继续，已完成的任务点不会重做",
  "task.cancelled_user": "任务已被你取消",
  "task.cancelled_admin": "任务已被管理员取消",
  "task.cancelled_disabled": "任务已被系统取消（账号已停用）",
  "task.captcha_passed": "验证码已通过，任务继续",
  "task.failed": "任务失败：{error}",
  "wait.captcha": "超星要求输入验证码，任务已暂停，请在任务页输入验证码",
  "wait.study_cap": "已达到超星单次学习时长上限，{minutes} 分钟后继续",
  "wait.backoff": "超星暂时无法访问，{seconds} 秒后重试（第 {attempt} 次）",
  "courses.found": "共 {n} 门课程：{names}",
  "course.missing": "课程 {course_id} 不在超星账号的课程列表中，已跳过",
  "course.start": "📚 开始课程「{course}」，共 {chapters} 个章节",
  "course.done": "✅ 课程「{course}」已完成",
  "course.skipped": "课程「{course}」已跳过：{reason}",
  "all.done": "🎉 全部课程处理完毕，完成 {jobs} 个任务点",
  "all.done_left": "🎉 全部课程处理完毕，完成 {jobs} 个任务点，{left} 项需要你手动完成",
  "chapter.visited": "📂 已访问章节「{chapter}」",
  "chapter.notopen_skipped": "章节「{chapter}」未开放，已跳过",
  "chapter.notopen_ask": "章节「{chapter}」未开放，任务已暂停，等待你选择跳过或停止该课程",
  "chapter.notopen_wait": "章节「{chapter}」未开放，{seconds} 秒后重试（第 {attempt} 次）",
  "chapter.notopen_retry": "章节「{chapter}」未开放，回到上一章补完任务点后重试（第 {attempt} 次）",
  "job.quiz_left": "📝 测验「{item}」留给你手动完成",
  "job.unsupported": "任务点「{item}」暂不支持，已跳过",
  "job.done": "{item} 已完成",
  "job.refused": "{item} 未被超星接受，已跳过",
  "job.transcode_failed": "{item} 转码失败，无法播放，已跳过",
  "media.start": "{item} 开始播放（{at} / {duration}，{speed}×）",
  "media.done": "{item} 已完成（{duration}）",
  "media.gave_up": "{item} 多次上报仍未通过，已跳过",
  "report.rt_retry": "上报被拒绝（403），换一种方式重试",
  "report.forbidden": "{item} 上报被拒绝（403），重新获取播放凭证（第 {attempt} 次）",
};

const en: Catalogue = {
  "task.started": "Task started ({speed}×, closed chapters: {notopen})",
  "task.paused": "Task paused",
  "task.resumed": "Task resumed",
  "task.retried": "Retrying from where it stopped; passed items are not redone",
  "task.cancelled_user": "You cancelled the task",
  "task.cancelled_admin": "An admin cancelled the task",
  "task.cancelled_disabled": "Cancelled: the account was deactivated",
  "task.captcha_passed": "Captcha accepted, the task goes on",
  "task.failed": "The task failed: {error}",
  "wait.captcha": "Chaoxing asks for a captcha: the task is paused, enter it on the task page",
  "wait.study_cap": "Chaoxing's study-time limit reached: going on in {minutes} min",
  "wait.backoff": "Chaoxing is not reachable: trying again in {seconds} s (attempt {attempt})",
  "courses.found": "{n} courses: {names}",
  "course.missing": "Course {course_id} is not in the Chaoxing account's course list: skipped",
  "course.start": "📚 Starting course “{course}”, {chapters} chapters",
  "course.done": "✅ Course “{course}” done",
  "course.skipped": "Course “{course}” skipped: {reason}",
  "all.done": "🎉 All courses worked through, {jobs} task points passed",
  "all.done_left": "🎉 All courses worked through, {jobs} task points passed, {left} left for you",
  "chapter.visited": "📂 Visited chapter “{chapter}”",
  "chapter.notopen_skipped": "Chapter “{chapter}” is not open: skipped",
  "chapter.notopen_ask": "Chapter “{chapter}” is not open: the task is paused until you choose to skip it or stop the course",
  "chapter.notopen_wait": "Chapter “{chapter}” is not open: checking again in {seconds} s (attempt {attempt})",
  "chapter.notopen_retry": "Chapter “{chapter}” is not open: finishing the previous chapter, then checking again (attempt {attempt})",
  "job.quiz_left": "📝 Quiz “{item}” left for you",
  "job.unsupported": "Task point “{item}” is not supported yet: skipped",
  "job.done": "{item} done",
  "job.refused": "{item} was not accepted by Chaoxing: skipped",
  "job.transcode_failed": "{item} failed to transcode and cannot play: skipped",
  "media.start": "{item} playing ({at} / {duration}, {speed}×)",
  "media.done": "{item} done ({duration})",
  "media.gave_up": "{item} was still refused after several reports: skipped",
  "report.rt_retry": "Report refused (403): retrying another way",
  "report.forbidden": "{item} report refused (403): fetching a new play token (attempt {attempt})",
};

/** Parameters that are names from the user's courses: shown as written, in either language. */
export const USER_PARAMS = new Set(["course", "names", "chapter", "item", "course_id", "error"]);

const ENUMS: Record<Lang, Record<string, Record<string, string>>> = {
  zh: {
    notopen: { retry: "重试", ask: "询问我", continue: "跳过" },
    reason: { face_check: "需要人脸识别", notopen: "章节未开放", risk_control: "超星风控", not_found: "课程不存在" },
  },
  en: {
    notopen: { retry: "retry", ask: "ask me", continue: "skip" },
    reason: { face_check: "face check required", notopen: "chapters not open", risk_control: "Chaoxing risk control", not_found: "course not found" },
  },
};

export const LOG_CATALOGUE: Record<Lang, Catalogue> = { zh, en };

/** A parameter's value for display: enum codes translated, anything else as it came. */
export function logParam(lang: Lang, name: string, value: string | number): string {
  return ENUMS[lang][name]?.[String(value)] ?? String(value);
}
