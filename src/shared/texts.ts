/**
 * The server's sentences, from codes: log lines, the reasons items are left for the user, why
 * a task failed, the pushed notifications and the admin's statistics warnings. The worker stores and
 * sends each one as `code` + `params`, beside the Chinese text rendered here from the zh template (kept
 * for old clients), and the dashboard renders the same code in the reader's language: one sentence, one
 * place. Constants and pure functions only: this file must stay free of runtime imports (the dashboard
 * bundles it).
 *
 * In a template, `{name}` is a parameter. Parameters in USER_PARAMS are the user's or Chaoxing's words
 * (course, chapter and item names, Chaoxing's own error text) and are shown as written; `reason` and
 * `failure` hold another code of this catalogue, rendered with the same parameters; `notopen` is an
 * enum translated here; anything else (numbers, times) is shown as it is.
 */

const zh = {
  // ---- the task object (src/durable/task.ts) ----
  "task.started": "任务已启动（{speed}×，未开放章节：{notopen}）",
  "task.paused": "任务已暂停",
  "task.resumed": "任务已恢复",
  "task.retried": "任务重试：从上次的位置继续，已完成的任务点不会重做",
  "task.relay_back": "中继已连接，任务自动继续",
  "task.login_back": "已重新扫码登录超星，任务继续",
  "task.cancelled_user": "任务已被用户取消",
  "task.cancelled_admin": "任务已被管理员取消",
  "task.cancelled_admin_reason": "任务已被管理员停止：{note}",
  "task.cancelled_disabled": "任务已被系统（账号已停用）取消",
  "task.captcha_passed": "验证码已通过，任务继续",
  "task.failed": "任务失败: {failure}",
  // ---- waits and pauses (src/engine/step.ts) ----
  "wait.outside_window": "不在该超星账号的学习时段内，将于 {until}（北京时间）继续",
  "wait.daily_cap": "该超星账号今日的媒体学习时长已达上限，将于 {until}（北京时间）继续",
  "wait.break": "已连续学习一段时间，休息一下，将于 {until}（北京时间）继续",
  "wait.captcha": "超星要求输入验证码，任务已暂停，请在任务页输入验证码",
  "wait.risk_control": "超星风控拦截了请求（{error}），任务已暂停。请稍后在学习通网页确认账号正常后再恢复任务",
  "wait.study_cap": "已达到超星单次学习时长上限，{minutes} 分钟后继续",
  "wait.relay_offline": "没有在线的中继，任务已暂停；中继连接后自动继续",
  "wait.relay_outdated": "中继版本过旧，已被拒绝连接，任务已暂停；在「中继」页重新安装后自动继续",
  "wait.login_required": "超星登录已失效（扫码绑定的账号），任务已暂停；在「设置」页重新扫码后自动继续",
  "wait.backoff": "{error}，{seconds} 秒后重试（第 {attempt} 次）",
  // ---- courses and chapters ----
  "courses.found": "共 {n} 门课程: {names}",
  "course.missing": "课程 {course_id} 不在超星账号的课程列表中，已跳过",
  "course.start": "📚 开始课程「{course}」，共 {chapters} 个章节",
  "course.done": "✅ 课程「{course}」已完成",
  "course.done_left": "课程「{course}」已处理完，{left} 项需要你手动完成",
  "course.skipped": "课程「{course}」已跳过: {reason}",
  "course.class_ended": "课程「{course}」的班级「{clazz}」已结束，未学习",
  "course.class_ended_skipped": "课程「{course}」的班级「{clazz}」已结束，跳过（只学习未结束的班级）",
  "all.done": "🎉 全部课程处理完毕，完成 {jobs} 个任务点",
  "all.done_left": "全部课程处理完毕，完成 {jobs} 个任务点；{left} 项需要你在学习通中手动完成（任务页有链接），完成后可点「重新检查」",
  "chapter.new_jobs": "章节「{chapter}」出现了新的任务点",
  "chapter.visited": "📂 已访问章节「{chapter}」",
  "chapter.skipped": "章节「{chapter}」已跳过: {reason}",
  "chapter.notopen_ask": "章节「{chapter}」未开放，任务已暂停，等待你选择跳过、停止该课程，或完成后重新检查",
  "chapter.notopen_wait": "章节「{chapter}」未开放，{seconds} 秒后重试（第 {attempt} 次）",
  "chapter.notopen_retry": "章节「{chapter}」未开放，回到上一章补完任务点后重试（第 {attempt} 次）",
  "chapter.recheck": "重新检查章节「{chapter}」是否已开放",
  // ---- task points ----
  "job.quiz_left": "📝 测验「{item}」留给你手动完成",
  "job.unsupported": "任务点「{item}」({type}) 暂不支持，已跳过",
  "job.odd_reply": "{item} {error}，留给你手动完成",
  "job.done": "{item} 已完成",
  "job.refused": "{item} 未被超星接受，已跳过",
  "job.transcode_failed": "{item} 转码失败，无法播放，已跳过",
  "media.start": "{item} 开始播放 ({at} / {duration}，{speed}x)",
  "media.start_1x": "{item} 开始播放 ({at} / {duration}，{speed}x，课程禁止倍速)",
  "media.start_realtime": "{item} 开始播放 ({at} / {duration}，{speed}x：该课程只按实际观看时长计入，倍速只会多看一遍)",
  "media.start_long": "{item} 开始播放 ({at} / {duration}，{speed}x：超星按实际观看时长计入，倍速看完要在结尾等太久，只会多看一遍)",
  "media.done": "{item} 已完成 ({duration})",
  "media.left": "{item} {reason}，已跳过",
  "media.rewatch": "{item} 到结尾仍未被超星通过，从头以 1× 重新观看 ({duration})",
  "live.start": "{item} 开始回看（{duration}，按真实时长，每分钟记录一次）",
  "live.done": "{item} 直播回看已完成 ({duration})",
  "live.not_started": "{item} 直播尚未开始，留给你",
  "report.rt_retry": "上报被拒绝(403)，改用 rt={rt} 重试",
  "report.forbidden": "{item} 上报被拒绝(403)，重新获取播放凭证（第 {attempt} 次）",
  "report.capture_check": "{item} 上报被拒绝(403)，重新读取任务点，确认课程是否开启了人脸抓拍",
  // ---- recheck ----
  "recheck.start": "重新检查 {n} 项需要你处理的内容",
  "recheck.cleared": "「{item}」已在学习通中完成，已从待处理列表移除",
  "recheck.result": "重新检查完成：已完成 {done} 项，还剩 {left} 项",
  // ---- the next-morning check of passed media (src/engine/credit.ts) ----
  "verify.start": "检查之前通过的 {n} 个视频是否被超星回溯",
  "verify.ok": "{n} 个视频核验通过，没有被回溯",
  "verify.video_rolled_back": "{item} 已被超星回溯（{day} 通过）",
  "verify.rolled_back": "{n} 个视频被回溯，正在重新学习",

  // ---- why an item is left for the user (`left_for_user[].reason_code`) ----
  "left.course_missing": "该课程不在超星账号的课程列表中",
  "left.face_check": "该课程需要人脸识别，无法自动学习，请在学习通中完成",
  "left.face_capture": "该课程开启了人脸识别抓拍（{signals}），只能在学习通中观看并完成抓拍",
  "left.class_ended": "该班级（{clazz}）已结束，未学习；如需学习，请在创建任务时选择该班级",
  "left.live_not_started": "直播尚未开始，没有可回看的内容，请开播后在学习通中观看",
  "left.chapters_failed": "读取章节列表失败: {error}",
  "left.cards_failed": "读取任务点失败: {error}",
  "left.visit_failed": "访问章节失败: {error}",
  "left.notopen_skipped": "章节未开放，已跳过",
  "left.notopen_user_skip": "章节未开放，按你的选择跳过",
  "left.notopen_user_stop": "章节未开放，已按你的选择停止该课程",
  "left.notopen_gave_up": "章节「{chapter}」重试 {attempts} 次仍未开放。请手动完成前面章节的测验等任务点后重新检查",
  "left.quiz": "章节测验需要你手动完成",
  "left.unsupported": "暂不支持的任务点类型",
  "left.odd_reply": "超星的回复异常（{error}），请手动完成",
  "left.not_accepted": "超星未接受该任务点",
  "left.transcode_failed": "视频转码失败，无法播放",
  "left.not_ready": "视频尚未就绪（可能仍在转码），请稍后在学习通中观看",
  // Items left by earlier releases (end reports repeated until a margin) keep this code.
  "left.report_not_passed": "进度上报未被超星通过，请在学习通中观看",
  "left.report_forbidden": "进度上报一再被超星拒绝(403)，请在学习通中观看",
  "left.rewatch_not_passed": "从头以 1× 重新观看一遍后仍未被超星通过，请在学习通中观看",
  "left.rolled_back_again": "重新学习后再次被超星回溯，请在学习通中观看",

  // ---- why a task failed (`error_code`) ----
  "fail.login": "登录超星失败: {error}",
  "fail.upstream": "超星服务持续异常，已重试 {attempts} 次: {error}",
  "fail.courses": "读取超星课程列表失败: {error}",
  "fail.no_courses": "所选课程均不在超星账号的课程列表中",
  "fail.internal": "任务内部错误，已停止。请重试任务",
  "fail.unreadable": "任务保存的进度无法读取，已停止。重试任务会按超星记录的进度重新检查，已完成的任务点不会重做",

  // ---- the test login (POST /user/config/test-login) ----
  "login.wrong_password": "超星提示手机号或密码错误（{error}）",
  "login.refused": "超星拒绝了登录：{error}",

  // ---- pushed notifications (`notification.code`) ----
  "note.completed": "任务「{task}」已完成",
  "note.completed_left": "任务「{task}」已完成，{left} 项需要你在学习通中处理",
  "note.failed": "任务「{task}」失败: {failure}",
  "note.captcha": "任务「{task}」需要输入超星验证码才能继续",
  "note.relay_offline": "任务「{task}」已暂停：没有在线的中继。启动中继后会自动继续",
  "note.relay_outdated": "任务「{task}」已暂停：中继需要更新。重新安装后会自动继续",
  "note.login_required": "任务「{task}」已暂停：超星登录已失效，请重新扫码。扫码后会自动继续",
  "note.risk_control": "任务「{task}」已暂停：超星风控拦截了请求，请稍后再恢复",
  "note.daily_cap": "任务「{task}」今日学习时长已达上限，明天自动继续",
  "note.rolled_back": "任务「{task}」: {n} 个视频被回溯，正在重新学习",
  "note.notopen_ask": "任务「{task}」: 章节「{chapter}」未开放，请选择跳过或停止该课程",
  "note.admin_stop": "任务「{task}」已被管理员停止",
  "note.admin_stop_reason": "任务「{task}」已被管理员停止：{note}",

  // ---- the admin's statistics warnings (`warning_codes`) ----
  "warn.failed_today": "今日失败任务 {failed} 个，多于完成的 {completed} 个",
  "warn.upstream_7d": "近 7 天超星异常 {total} 次（验证码 {captcha}，学习时长上限 {study_cap}，会话过期 {session_expired}，403 {forbidden}，临时错误 {transient}）",
  "warn.forbidden_7d": "近 7 天超星拒绝访问（403）{forbidden} 次，账号可能被风控",
  "warn.captcha_waiting": "{n} 个任务因验证码暂停，等待用户输入",
} as const;

export type TextCode = keyof typeof zh;

const en: Record<TextCode, string> = {
  "task.started": "Task started ({speed}×, closed chapters: {notopen})",
  "task.paused": "Task paused",
  "task.resumed": "Task resumed",
  "task.retried": "Retrying from where it stopped; passed task points are not redone",
  "task.relay_back": "A relay connected: the task goes on",
  "task.login_back": "Signed in to Chaoxing again by QR code: the task goes on",
  "task.cancelled_user": "The task was cancelled by its owner",
  "task.cancelled_admin": "An admin cancelled the task",
  "task.cancelled_admin_reason": "An admin stopped the task: {note}",
  "task.cancelled_disabled": "Cancelled by the system: the account was deactivated",
  "task.captcha_passed": "Captcha accepted: the task goes on",
  "task.failed": "The task failed: {failure}",
  "wait.outside_window": "Outside this Chaoxing account's study hours: going on at {until} (Beijing time)",
  "wait.daily_cap": "This Chaoxing account's media time for today is used up: going on at {until} (Beijing time)",
  "wait.break": "A break after a long stretch of study: going on at {until} (Beijing time)",
  "wait.captcha": "Chaoxing asks for a captcha: the task is paused, enter it on the task page",
  "wait.risk_control": "Chaoxing's risk control blocked a request ({error}): the task is paused. Check the account on the Chaoxing website, then resume",
  "wait.study_cap": "Chaoxing's study-time limit reached: going on in {minutes} min",
  "wait.relay_offline": "No relay is online: the task is paused and goes on when one connects",
  "wait.relay_outdated": "Your relay is too old and was refused: the task is paused and goes on once it is reinstalled from the Relay page",
  "wait.login_required": "The Chaoxing sign-in ended (an account bound by QR code): the task is paused and goes on once you scan again on the Settings page",
  "wait.backoff": "Chaoxing did not answer ({error}): trying again in {seconds} s (attempt {attempt})",
  "courses.found": "{n} courses: {names}",
  "course.missing": "Course {course_id} is not in the Chaoxing account's course list: skipped",
  "course.start": "📚 Starting course “{course}”, {chapters} chapters",
  "course.done": "✅ Course “{course}” done",
  "course.done_left": "Course “{course}” worked through, {left} left for you",
  "course.skipped": "Course “{course}” skipped: {reason}",
  "course.class_ended": "Course “{course}”: class “{clazz}” has ended; not studied",
  "course.class_ended_skipped": "Course “{course}”: class “{clazz}” has ended and is skipped (only classes still running are studied)",
  "all.done": "🎉 All courses worked through, {jobs} task points passed",
  "all.done_left": "All courses worked through, {jobs} task points passed; {left} left for you to do in Chaoxing (links on the task page), then press “Check again”",
  "chapter.new_jobs": "New task points appeared in chapter “{chapter}”",
  "chapter.visited": "📂 Visited chapter “{chapter}”",
  "chapter.skipped": "Chapter “{chapter}” skipped: {reason}",
  "chapter.notopen_ask": "Chapter “{chapter}” is not open: the task is paused until you choose to skip it, stop the course, or check again",
  "chapter.notopen_wait": "Chapter “{chapter}” is not open: checking again in {seconds} s (attempt {attempt})",
  "chapter.notopen_retry": "Chapter “{chapter}” is not open: finishing the previous chapter, then checking again (attempt {attempt})",
  "chapter.recheck": "Checking again whether chapter “{chapter}” is open",
  "job.quiz_left": "📝 Quiz “{item}” left for you",
  "job.unsupported": "Task point “{item}” ({type}) is not supported yet: skipped",
  "job.odd_reply": "{item}: {error}; left for you",
  "job.done": "{item} done",
  "job.refused": "{item} was not accepted by Chaoxing: skipped",
  "job.transcode_failed": "{item} failed to transcode and cannot play: skipped",
  "media.start": "{item} playing ({at} / {duration}, {speed}×)",
  "media.start_1x": "{item} playing ({at} / {duration}, {speed}×: the course forbids faster playback)",
  "media.start_realtime": "{item} playing ({at} / {duration}, {speed}×: this course credits only real watching; faster would only mean watching it twice)",
  "media.start_long": "{item} playing ({at} / {duration}, {speed}×: Chaoxing credits real watching, and faster would end too far ahead of it; it would only mean watching it twice)",
  "media.done": "{item} done ({duration})",
  "media.left": "{item}: {reason}; skipped",
  "media.rewatch": "{item} was not passed by Chaoxing at its end: watching it again from the start at 1× ({duration})",
  "live.start": "{item}: watching the replay ({duration}, in real time, one record a minute)",
  "live.done": "{item}: replay watched ({duration})",
  "live.not_started": "{item}: the live has not started yet; left for you",
  "report.rt_retry": "Report refused (403): retrying with rt={rt}",
  "report.forbidden": "{item} report refused (403): fetching a new play token (attempt {attempt})",
  "report.capture_check": "{item} report refused (403): reading the task point again to see whether the course takes face captures",
  "recheck.start": "Checking again {n} items left for you",
  "recheck.cleared": "“{item}” was done in Chaoxing: off the list",
  "recheck.result": "Checked again: {done} done, {left} left",
  "verify.start": "Checking whether Chaoxing rolled back {n} videos passed earlier",
  "verify.ok": "{n} videos checked: still passed, none rolled back",
  "verify.video_rolled_back": "{item} was rolled back by Chaoxing (passed on {day})",
  "verify.rolled_back": "{n} videos were rolled back: studying them again",
  "left.course_missing": "The course is not in the Chaoxing account's course list",
  "left.face_check": "The course requires a face check: do it in Chaoxing",
  "left.face_capture": "The course takes face captures ({signals}): watch it in Chaoxing and do the capture there",
  "left.class_ended": "This class ({clazz}) has ended and was not studied; to study it, choose that class when creating the task",
  "left.live_not_started": "The live has not started: nothing to replay yet; watch it in Chaoxing once it has",
  "left.chapters_failed": "Reading the chapter list failed: {error}",
  "left.cards_failed": "Reading the task points failed: {error}",
  "left.visit_failed": "Visiting the chapter failed: {error}",
  "left.notopen_skipped": "The chapter is not open: skipped",
  "left.notopen_user_skip": "The chapter is not open: skipped as you chose",
  "left.notopen_user_stop": "The chapter is not open: the course stopped as you chose",
  "left.notopen_gave_up": "Chapter “{chapter}” was still closed after {attempts} tries. Finish the earlier chapters' quizzes by hand, then check again",
  "left.quiz": "Chapter quizzes are yours to do",
  "left.unsupported": "This kind of task point is not supported",
  "left.odd_reply": "Chaoxing answered oddly ({error}): do it by hand",
  "left.not_accepted": "Chaoxing did not accept this task point",
  "left.transcode_failed": "The video failed to transcode and cannot play",
  "left.not_ready": "The video is not ready (maybe still transcoding): watch it in Chaoxing later",
  "left.report_not_passed": "Chaoxing did not pass the progress reports: watch it in Chaoxing",
  "left.report_forbidden": "Chaoxing refused the progress reports again and again (403): watch it in Chaoxing",
  "left.rewatch_not_passed": "Still not passed by Chaoxing after watching it again from the start at 1×: watch it in Chaoxing",
  "left.rolled_back_again": "Rolled back by Chaoxing again after it was studied again: watch it in Chaoxing",
  "fail.login": "Signing in to Chaoxing failed: {error}",
  "fail.upstream": "Chaoxing kept failing, {attempts} retries: {error}",
  "fail.courses": "Reading the Chaoxing course list failed: {error}",
  "fail.no_courses": "None of the chosen courses is in the Chaoxing account's course list",
  "fail.internal": "Internal error: the task stopped. Retry it",
  "fail.unreadable": "The task's saved progress could not be read: it stopped. Retrying it checks again from Chaoxing's record, and no passed task point is redone",
  "login.wrong_password": "Chaoxing says the phone number or password is wrong ({error})",
  "login.refused": "Chaoxing refused the sign-in: {error}",
  "note.completed": "Task “{task}” completed",
  "note.completed_left": "Task “{task}” completed, {left} items need you in Chaoxing",
  "note.failed": "Task “{task}” failed: {failure}",
  "note.captcha": "Task “{task}” needs a Chaoxing captcha to go on",
  "note.relay_offline": "Task “{task}” paused: no relay is online. It goes on when one connects",
  "note.relay_outdated": "Task “{task}” paused: your relay needs an update. It goes on once it is reinstalled",
  "note.login_required": "Task “{task}” paused: the Chaoxing sign-in ended, scan the QR code again. It goes on after the scan",
  "note.risk_control": "Task “{task}” paused: Chaoxing's risk control blocked a request; resume later",
  "note.daily_cap": "Task “{task}” reached today's study limit; it goes on tomorrow by itself",
  "note.rolled_back": "Task “{task}”: {n} videos were rolled back; studying them again",
  "note.notopen_ask": "Task “{task}”: chapter “{chapter}” is not open; choose to skip it or stop the course",
  "note.admin_stop": "An admin stopped task “{task}”",
  "note.admin_stop_reason": "An admin stopped task “{task}”: {note}",
  "warn.failed_today": "{failed} tasks failed today, more than the {completed} completed",
  "warn.upstream_7d": "{total} Chaoxing failures in 7 days (captcha {captcha}, study-time limit {study_cap}, session expired {session_expired}, 403 {forbidden}, transient {transient})",
  "warn.forbidden_7d": "Chaoxing refused access (403) {forbidden} times in 7 days: the account may be under risk control",
  "warn.captcha_waiting": "{n} tasks paused for a captcha, waiting for their users",
};

export type TextLang = "zh" | "en";
export const TEXTS: Record<TextLang, Record<TextCode, string>> = { zh, en };

/** A parameter's value: a number, or a string (a name, a time, another code for `reason`/`failure`). */
export type TextParams = Record<string, string | number>;

/** The parameter names of a template, so a call site that forgets one fails to compile. */
type Names<S extends string> = S extends `${string}{${infer N}}${infer R}` ? N | Names<R> : never;
/** What a code needs: its own parameters (a `reason`/`failure` code also brings that code's). */
export type ParamsOf<C extends TextCode> = { [K in Names<(typeof zh)[C]>]: K extends "reason" | "failure" ? TextCode : string | number };

/** A sentence as code and parameters: what the API stores and sends beside its Chinese text. */
export interface Coded<C extends TextCode = TextCode> {
  code: C;
  params: TextParams;
}

/** Parameters that are the user's or Chaoxing's own words: shown as written, in either language. */
export const USER_PARAMS: ReadonlySet<string> = new Set(["course", "names", "chapter", "item", "course_id", "error", "task", "type", "note", "clazz", "signals"]);
/** Parameters that name another code of this catalogue. */
const NESTED: ReadonlySet<string> = new Set(["reason", "failure"]);

const ENUMS: Record<TextLang, Record<string, Record<string, string>>> = {
  zh: { notopen: { retry: "重试", ask: "询问我", continue: "跳过" } },
  en: { notopen: { retry: "retry", ask: "ask me", continue: "skip" } },
};

export const isTextCode = (code: unknown): code is TextCode => typeof code === "string" && Object.prototype.hasOwnProperty.call(zh, code);

/** One piece of a rendered sentence; `user` marks the user's own words (the dashboard marks them up). */
export interface TextPart {
  text: string;
  user?: true;
}

/** A sentence in pieces, in `lang`; a parameter missing from `params` stays as its `{name}`. */
export function textParts(lang: TextLang, code: TextCode, params: TextParams, depth = 0): TextPart[] {
  const parts: TextPart[] = [];
  for (const piece of TEXTS[lang][code].split(/(\{\w+\})/)) {
    if (!piece) continue;
    const name = /^\{(\w+)\}$/.exec(piece)?.[1];
    const raw = name === undefined ? undefined : params[name];
    if (name === undefined || raw === undefined) parts.push({ text: piece });
    else if (NESTED.has(name) && isTextCode(raw) && depth < 2) parts.push(...textParts(lang, raw, params, depth + 1));
    else if (USER_PARAMS.has(name)) parts.push({ text: String(raw), user: true });
    else parts.push({ text: ENUMS[lang][name]?.[String(raw)] ?? String(raw) });
  }
  return parts;
}

/** A sentence as one string, in `lang`: the server stores the zh one beside the code. */
export const renderText = (lang: TextLang, code: TextCode, params: TextParams = {}): string =>
  textParts(lang, code, params).map((p) => p.text).join("");
