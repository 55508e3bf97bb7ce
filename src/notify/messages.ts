import { QR_PAGE } from "../shared/links";
import type { Language, NotifyEventKind } from "../shared/notify";

/** What an event carries besides its kind: the facts the message needs (all optional). */
export interface EventDetail {
  /** Items left for the user (`left_for_user`) when a task completes. */
  left?: number;
  /** Why a task failed. */
  error?: string;
  /** The chapter that is not open (`ask`). */
  chapter?: string;
  /** The admin's reason for a force-stop. */
  note?: string;
  /** Media the platform rolled back overnight, studied again (`rolled_back`). */
  videos?: number;
}

/** A notification ready for any channel: the same words everywhere, in the user's language. */
export interface Notice {
  /** Stable per event (the idempotency key), or a fresh id for a test: the webhook's delivery id. */
  id: string;
  event: NotifyEventKind | "test";
  language: Language;
  title: string;
  text: string;
  /** The task's page (`APP_URL/tasks/<id>`), or null for a test. */
  link: string | null;
  linkLabel: string;
  taskId: number | null;
  taskName: string | null;
  occurredAt: string;
}

type Words = {
  brand: string;
  open: string;
  scan: string;
  test: { title: string; text: string };
  events: Record<NotifyEventKind, (name: string, d: EventDetail) => { title: string; text: string }>;
};

const WORDS: Record<Language, Words> = {
  "zh-CN": {
    brand: "学习通助手",
    open: "打开任务",
    scan: "重新扫码",
    // "任务" / "Task" in every text: a DingTalk robot secured by keyword is told to use that keyword (README).
    test: { title: "测试通知", text: "这是一条来自学习通助手的测试通知：收到它，说明任务通知已经可以发到这个渠道了。" },
    events: {
      captcha: (n) => ({ title: `任务「${n}」需要输入验证码`, text: "超星要求输入验证码，任务已暂停。打开任务页面输入验证码后，任务会继续。" }),
      notopen_ask: (n, d) => ({
        title: `任务「${n}」等待你的选择`,
        text: `章节「${d.chapter ?? ""}」未开放。请在任务页面选择跳过该章节，或停止该课程。`,
      }),
      risk_control: (n) => ({ title: `任务「${n}」因超星风控已暂停`, text: "超星对这个账号启用了风控。请稍后在学习通确认账号正常，再恢复任务。" }),
      relay_offline: (n) => ({ title: `任务「${n}」在等待中继上线`, text: "你的中继程序已离线。它重新连接后，任务会自动继续。" }),
      relay_outdated: (n) => ({ title: `任务「${n}」在等待中继更新`, text: "你的中继程序版本过旧，本平台拒绝了它的连接。请在「中继」页复制安装命令重新安装，连接后任务会自动继续。" }),
      login_required: (n) => ({
        title: `任务「${n}」等待重新扫码登录超星`,
        text: "你用扫码绑定的超星账号登录已失效，这个账号的任务都已暂停。打开链接用学习通扫码一次，所有任务会自动继续。",
      }),
      completed: (n, d) =>
        d.left
          ? { title: `任务「${n}」已完成，${d.left} 项需要你处理`, text: `还有 ${d.left} 项（测验、人脸识别等）需要你在学习通手动完成，详见任务页面。` }
          : { title: `任务「${n}」已完成`, text: "全部课程已学完。" },
      failed: (n, d) => ({ title: `任务「${n}」失败`, text: `原因：${d.error ?? "未知"}。可以在任务页面重试，已完成的任务点不会重做。` }),
      rolled_back: (n, d) => ({
        title: `任务「${n}」: ${d.videos ?? 0} 个视频被回溯，正在重新学习`,
        text: "超星在夜里撤销了之前通过的视频进度（回溯），任务已重新开始学习这些视频。每天的学习时长保持在合理范围内可以降低回溯的风险。",
      }),
      admin_stop: (n, d) => ({ title: `任务「${n}」已被管理员停止`, text: `原因：${d.note ?? "未说明"}。如有疑问，请联系管理员；可以在任务页面重试。` }),
      daily_cap: (n) => ({ title: `任务「${n}」今日学习时长已达上限`, text: "今天的学习时长已用完，任务会在明天自动继续。" }),
    },
  },
  en: {
    brand: "Chaoxing Helper",
    open: "Open the task",
    scan: "Scan again",
    test: { title: "Test notification", text: "Task notifications work: this is a test from Chaoxing Helper through this channel." },
    events: {
      captcha: (n) => ({ title: `Task “${n}” needs a captcha`, text: "Chaoxing asks for a captcha and the task is paused. Enter it on the task page and the task goes on." }),
      notopen_ask: (n, d) => ({
        title: `Task “${n}” is waiting for your choice`,
        text: `Chapter “${d.chapter ?? ""}” is not open. On the task page, skip the chapter or stop that course.`,
      }),
      risk_control: (n) => ({ title: `Task “${n}” paused by Chaoxing's risk control`, text: "Chaoxing put this account under risk control. Check the account in the Chaoxing app later, then resume the task." }),
      relay_offline: (n) => ({ title: `Task “${n}” is waiting for your relay`, text: "Your relay went offline. The task goes on by itself when it reconnects." }),
      relay_outdated: (n) => ({ title: `Task “${n}” is waiting for a relay update`, text: "Your relay is too old and the platform refused its connection. Copy the install command on the Relay page to reinstall it; the task goes on by itself when it connects." }),
      login_required: (n) => ({
        title: `Task “${n}” is waiting for a new Chaoxing scan`,
        text: "The Chaoxing sign-in of the account you bound by QR code ended, and its tasks are paused. Open the link and scan once with the Xuexitong app: every task goes on by itself.",
      }),
      completed: (n, d) =>
        d.left
          ? { title: `Task “${n}” completed, ${d.left} item${d.left === 1 ? "" : "s"} need you`, text: `${d.left} item${d.left === 1 ? "" : "s"} (quizzes, face checks…) must be done by hand in Chaoxing: see the task page.` }
          : { title: `Task “${n}” completed`, text: "Every course is done." },
      failed: (n, d) => ({ title: `Task “${n}” failed`, text: `Reason: ${d.error ?? "unknown"}. You can retry it on the task page; finished items are not redone.` }),
      rolled_back: (n, d) => ({
        title: `Task “${n}”: ${d.videos ?? 0} video${d.videos === 1 ? " was" : "s were"} rolled back, studying again`,
        text: "Overnight, Chaoxing took back the credit of videos passed earlier (a rollback); the task is studying them again. Keeping each day's study time moderate lowers the risk.",
      }),
      admin_stop: (n, d) => ({ title: `Task “${n}” was stopped by an admin`, text: `Reason: ${d.note ?? "none given"}. Ask the admin if in doubt; you can retry it on the task page.` }),
      daily_cap: (n) => ({ title: `Task “${n}” reached today's study limit`, text: "Today's study time is used up; the task goes on tomorrow by itself." }),
    },
  },
};

export function brand(language: Language): string {
  return WORDS[language].brand;
}

export function eventNotice(
  language: Language,
  e: { id: string; kind: NotifyEventKind; taskId: number; taskName: string; detail: EventDetail; occurredAt: string },
  appUrl: string,
): Notice {
  const w = WORDS[language];
  const { title, text } = w.events[e.kind](e.taskName, e.detail);
  return {
    id: e.id,
    event: e.kind,
    language,
    title,
    text,
    // Ended sign-ins are fixed on the scan page, not on one task's page.
    link: new URL(e.kind === "login_required" ? QR_PAGE : `/tasks/${e.taskId}`, appUrl).toString(),
    linkLabel: e.kind === "login_required" ? w.scan : w.open,
    taskId: e.taskId,
    taskName: e.taskName,
    occurredAt: e.occurredAt,
  };
}

export function testNotice(language: Language, id: string, occurredAt: string): Notice {
  const w = WORDS[language];
  return { id, event: "test", language, ...w.test, link: null, linkLabel: w.open, taskId: null, taskName: null, occurredAt };
}

/** Title, text and link as plain lines: what the text-only robots and e-mail carry. */
export function plainText(n: Notice): string {
  return [n.title, n.text, n.link ? `${n.linkLabel}: ${n.link}` : null].filter(Boolean).join("\n");
}
