import { clock } from "../../shared/clock";
import { userAgentFor } from "./browser";
import { encryptLoginField, reportEnc } from "../../shared/chaoxing-crypto";
import { ChaoxingError } from "./errors";
import { ChaoxingHttp, qs } from "./http";
import { parseChapters, parseCourseList, parseFolders } from "./html";
import { captureSignals, extractMArg, parseAttachments, parseDefaults } from "./marg";
import { parseAuthStatus, parseQrInputs, type QrCode, type QrStatus } from "./qr";
import { captchaError, classifyResponse, isCaptchaBody } from "./signals";
import { faceMasks, parseTabList } from "./tabs";
import { isUpstream } from "./urls";
import type {
  ChapterCards, Course, CourseOutline, CourseRef, DocumentJob, Folder, Job, JobCount, LiveJob, MediaJob, MediaStatus, ReadJob,
} from "./types";

/** Version strings the web player sends; the platform checks only that the Referer path is right. */
const PLAYER_VERSION = "2025-0725-1842";
/** The live player's page, the Referer of `saveTimePc` (reference CLI api/live.py). */
const LIVE_PLAYER_VERSION = "2022-1214-1139";
/** The cards page's `v`: the one ocsjs request mode sends; no public source shows a later one (2026-12 item 10). */
const CARDS_VERSION = "2025-0424-1038-4";
/** Without a tab bar to read, tabs num=0..6 are probed and merged (the older way). */
export const CARD_TABS = 7;

export interface ReportParams {
  course: CourseRef;
  job: Pick<MediaJob, "jobid" | "objectId" | "otherInfo" | "type" | "attDuration" | "attDurationEnc" | "videoFaceCaptureEnc" | "clip" | "reportUrl">;
  dtoken: string;
  /** seconds, the media's full length from its status */
  duration: number;
  /** seconds watched; whole seconds are sent */
  playingTime: number;
  /** 3 at the start, 0 periodic, 4 at the end */
  isdrag: 0 | 3 | 4;
  /** Try these in order, moving on only after a 403 (see `rtCandidates`). */
  rt: string[];
  /** Overrides the job's own type, e.g. to retry a refused video as audio. */
  dtype?: "Video" | "Audio";
}

export interface ReportResult {
  isPassed: boolean;
  /** The rt that the platform accepted: remember it for the next reports of this job. */
  rt: string;
}

/**
 * One Chaoxing account's view of the platform: one method per protocol call, each failure signal thrown
 * as a ChaoxingError. Holds no timers: pacing and waits are the engine's.
 */
export class ChaoxingClient extends ChaoxingHttp {
  /** One stable, current desktop browser per Chaoxing account (src/chaoxing/browser.ts). */
  static userAgentFor = userAgentFor;

  // ---- session -------------------------------------------------------------------------------

  /** Logs in with a fresh jar. Throws `login_failed` with Chaoxing's `msg2` as the reason. */
  async login(phone: string, password: string): Promise<void> {
    this.jar.clear();
    const form = {
      fid: "-1",
      uname: await encryptLoginField(phone),
      password: await encryptLoginField(password),
      refer: "https%3A%2F%2Fi.chaoxing.com",
      t: "true",
      forbidotherlogin: "0",
      validate: "",
      doubleFactorLogin: "0",
      independentId: "0",
    };
    const res = await this.send("POST", `${this.urls.passport}/fanyalogin`, {
      kind: "xhr",
      form,
      referer: `${this.urls.passport}/login?fid=&newversion=true&refer=https%3A%2F%2Fi.chaoxing.com`,
      extraHeaders: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json, text/javascript, */*; q=0.01", Origin: this.urls.passport },
    });
    // A login refused for a captcha ("请输入验证码") is a refused login, not a captcha of the antispider kind.
    const body = await this.json(res, "登录", "bad_response", false);
    if (body.status !== true) {
      const reason = String(body.msg2 ?? body.mes ?? body.msg ?? "登录失败");
      throw new ChaoxingError("login_failed", `登录超星失败: ${reason}`, { reason });
    }
    if (!this.userId) throw new ChaoxingError("bad_response", "登录成功但超星未返回用户 ID");
  }

  /**
   * Starts a QR-code login with a fresh jar (protocol corrections 2026-12, item 13): the passport's login
   * page, loaded with the account's desktop browser (a mobile User-Agent fails verification), gives the
   * code's `uuid`/`enc`; `createqr` shows it, which activates it, and answers its PNG.
   */
  async qrStart(): Promise<QrCode> {
    this.jar.clear();
    const page = `${this.urls.passport}/login?fid=&newversion=true&refer=https%3A%2F%2Fi.chaoxing.com`;
    // The login page is the answer here, not a sign of an expired session: read it raw.
    const res = await this.send("GET", page, { idempotent: true, raw: true });
    const err = await classifyResponse(res, this.urls.passport, page);
    if (err) throw err;
    const { uuid, enc } = parseQrInputs(await res.text());
    const url = `${this.urls.passport}/createqr?${qs({ uuid, fid: "-1" })}`;
    const img = await this.send("GET", url, { kind: "image", idempotent: true, referer: page });
    const contentType = img.headers.get("Content-Type") ?? "";
    if (!contentType.startsWith("image/")) throw new ChaoxingError("bad_response", `二维码不是图片 (${contentType || "无类型"})`);
    return { uuid, enc, image: new Uint8Array(await img.arrayBuffer()), contentType };
  }

  /** One poll of the code (one request; the caller decides when to poll again). Logged in: the jar holds the session. */
  async qrPoll(code: { uuid: string; enc: string }): Promise<QrStatus> {
    const res = await this.send("POST", `${this.urls.passport}/getauthstatus/v2`, {
      kind: "xhr",
      form: { enc: code.enc, uuid: code.uuid, doubleFactorLogin: "0", forbidotherlogin: "0" },
      referer: `${this.urls.passport}/login?fid=&newversion=true&refer=https%3A%2F%2Fi.chaoxing.com`,
      extraHeaders: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json, text/javascript, */*; q=0.01", Origin: this.urls.passport },
    });
    const status = parseAuthStatus(await this.json(res, "扫码登录状态"));
    if (status.state === "logged_in" && !this.userId) throw new ChaoxingError("bad_response", "扫码登录成功但超星未返回用户 ID");
    return status;
  }

  /**
   * The session's own account: after a QR login, whose account the 学习通 app opened (its phone names the
   * binding; src/durable/account.ts). `sso`'s `userLogin4Uname.do`, read by public clients for `name`/`puid`.
   */
  async accountInfo(): Promise<{ uid: string; name: string; phone: string | null }> {
    const res = await this.send("GET", `${this.urls.sso}/apis/login/userLogin4Uname.do`, { kind: "xhr", idempotent: true });
    const body = await this.json(res, "账号信息");
    const msg = body.msg;
    if (Number(body.result) !== 1 || typeof msg !== "object" || msg === null) throw new ChaoxingError("bad_response", "超星没有返回账号信息");
    const m = msg as Record<string, unknown>;
    const phone = typeof m.phone === "string" && /^1\d{10}$/.test(m.phone) ? m.phone : null;
    return { uid: String(m.uid ?? m.puid ?? this.userId ?? ""), name: String(m.name ?? ""), phone };
  }

  /** A saved session is valid if `_uid` is present and the course list answers without the login page. */
  async checkSession(): Promise<boolean> {
    if (!this.userId) return false;
    try {
      await this.text(await this.postCourseList("0"), "课程列表");
      return true;
    } catch (e) {
      if (e instanceof ChaoxingError && e.kind === "session_expired") return false;
      throw e;
    }
  }

  // ---- courses and chapters ------------------------------------------------------------------

  /** Every course, top level and inside folders, deduplicated by (courseId, clazzId). */
  async listCourses(): Promise<Course[]> {
    const top = await parseCourseList(await this.text(await this.postCourseList("0"), "课程列表"));
    const folders = await this.listFolders();
    const all = [...top];
    for (const folder of folders) {
      const html = await this.text(await this.postCourseList(folder.id), "课程文件夹");
      all.push(...(await parseCourseList(html, folder)));
    }
    const unique = new Map<string, Course>();
    for (const c of all) if (!unique.has(`${c.courseId}:${c.clazzId}`)) unique.set(`${c.courseId}:${c.clazzId}`, c);
    return [...unique.values()];
  }

  async listFolders(): Promise<Folder[]> {
    const url = `${this.urls.mooc2}/mooc2-ans/visit/interaction`;
    return parseFolders(await this.text(await this.send("GET", url, { idempotent: true }), "课程文件夹"));
  }

  async getChapters(course: CourseRef): Promise<CourseOutline> {
    const url = `${this.urls.mooc2}/mooc2-ans/mycourse/studentcourse?${qs({
      courseid: course.courseId, clazzid: course.clazzId, cpi: course.cpi, ut: "s",
    })}`;
    return parseChapters(await this.text(await this.send("GET", url, { idempotent: true }), "章节列表"));
  }

  async getJobCounts(course: CourseRef, nodeIds: string[]): Promise<Record<string, JobCount>> {
    if (nodeIds.length === 0) return {};
    const res = await this.send("POST", `${this.urls.mooc1Api}/job/myjobsnodesmap`, {
      kind: "xhr",
      idempotent: true,
      form: {
        view: "json", nodes: nodeIds.join(","), clazzid: course.clazzId, time: String(clock.now()),
        userid: this.requireUserId(), cpi: course.cpi, courseid: course.courseId,
      },
    });
    const body = await this.json(res, "任务点统计");
    const out: Record<string, JobCount> = {};
    for (const id of nodeIds) {
      const raw = body[id];
      if (typeof raw !== "object" || raw === null) continue;
      const r = raw as Record<string, unknown>;
      out[id] = {
        totalcount: Number(r.totalcount) || 0,
        finishcount: Number(r.finishcount) || 0,
        unfinishcount: Number(r.unfinishcount) || 0,
        openlock: Number(r.openlock) || 0,
        clickcount: Number(r.clickcount) || 0,
      };
    }
    return out;
  }

  /**
   * The chapter's job cards, tabs num=0..6 merged (deduplicated by type and jobid). Throws `not_open` for
   * 章节未开放 and `face_check` when the page demands a face capture.
   */
  async getCards(course: CourseRef, chapterId: string): Promise<ChapterCards> {
    let defaults: ChapterCards["defaults"] = null;
    const jobs: Job[] = [];
    const seen = new Set<string>();
    for (let num = 0; num < CARD_TABS; num++) {
      const tab = await this.getCardsTab(course, chapterId, num);
      defaults ??= tab.defaults;
      for (const job of tab.jobs) {
        const key = `${job.type}:${job.jobid}`;
        if (seen.has(key)) continue;
        seen.add(key);
        jobs.push(job);
      }
    }
    return { defaults, jobs };
  }

  /**
   * One tab (`num`) of the cards page, with the parameters of ocsjs request mode (2026-12 item 10); same
   * errors as `getCards`. A tab whose page captures (any capture flag at 1, or a video's
   * `randomCaptureTime`) is a face course: `face_check`, naming what it saw (2026-12 item 2).
   */
  async getCardsTab(course: CourseRef, chapterId: string, num: number): Promise<ChapterCards> {
    const url = `${this.urls.mooc1}/mooc-ans/knowledge/cards?${qs({
      clazzid: course.clazzId, courseid: course.courseId, knowledgeid: chapterId, num, ut: "s",
      cpi: course.cpi, v: CARDS_VERSION, mooc2: 1, isMicroCourse: "false", editorPreview: 0, crossId: "",
    })}`;
    const page = await this.text(await this.send("GET", url, { idempotent: true, referer: this.studyPage(course, chapterId) }), "任务点");
    if (page.includes("章节未开放")) throw new ChaoxingError("not_open", "章节未开放");
    // A face course's cards can be a 200 whose script sends the browser to the face capture.
    if (page.includes("/knowledge/startface")) throw new ChaoxingError("face_check", "该课程需要人脸识别");
    const marg = extractMArg(page);
    if (!marg) return { defaults: null, jobs: [] };
    const defaults = parseDefaults(marg);
    const jobs = parseAttachments(marg, defaults);
    const capture = captureSignals(defaults, jobs);
    if (capture.length) throw new ChaoxingError("face_check", `该课程开启了人脸抓拍 (${capture.join(", ")})`, { reason: capture.join(", ") });
    return { defaults, jobs };
  }

  /**
   * The chapter's cards as its tab bar lists them (`studentstudyAjax`, the call a browser makes when it
   * opens the chapter, so it is also the chapter's visit): the `num` of each card, in order. null when
   * the page has no tab bar (then the tabs are probed).
   */
  async getTabs(course: CourseRef, chapterId: string): Promise<number[] | null> {
    const url = `${this.urls.mooc1}/mooc-ans/mycourse/studentstudyAjax?${qs({
      courseId: course.courseId, clazzid: course.clazzId, chapterId, cpi: course.cpi, verificationcode: "", mooc2: 1,
      toComputer: "false", microTopicId: 0, editorPreview: 0, isPreviewVideo: "false", videoWidth: 0, videoHeight: 0,
      targetVideoJobId: "", cardIndex: 0,
    })}`;
    return parseTabList(await this.text(await this.send("GET", url, { kind: "xhr", idempotent: true, referer: this.studyPage(course, chapterId) }), "章节"));
  }

  /**
   * The chapter page a user opens (`mycourse/studentstudy`, with the course's link `enc`): `face_check` when
   * it carries the face masks of a course that captures (ocsjs request mode trusts the DOM over the flags).
   */
  async checkStudyPage(course: CourseRef, chapterId: string, enc: string): Promise<void> {
    const url = `${this.urls.mooc1}/mooc-ans/mycourse/studentstudy?${qs({ chapterId, courseId: course.courseId, clazzid: course.clazzId, cpi: course.cpi, enc, mooc2: 1 })}`;
    const masks = await faceMasks(await this.text(await this.send("GET", url, { idempotent: true, referer: `${this.urls.mooc2}/mooc2-ans/mycourse/studentcourse?${qs({ courseid: course.courseId, clazzid: course.clazzId, cpi: course.cpi, ut: "s" })}` }), "章节页面"));
    if (masks.length) throw new ChaoxingError("face_check", `该课程开启了人脸抓拍 (${masks.join(", ")})`, { reason: masks.join(", ") });
  }

  // ---- live replays (reference CLI api/live.py; 2026-12 item 12) -----------------------------

  /** The replay's length (s), from `liveinfo` (`temp.data.duration`); 0 when it has none (not started). */
  async getLiveInfo(course: CourseRef, chapterId: string, job: Pick<LiveJob, "liveId" | "liveJobid">): Promise<{ duration: number }> {
    const url = `${this.urls.mooc1}/ananas/live/liveinfo?${qs({
      liveid: job.liveId, userid: this.requireUserId(), clazzid: course.clazzId, knowledgeid: chapterId, courseid: course.courseId,
      jobid: job.liveJobid, ut: "s",
    })}`;
    const body = await this.json(await this.send("GET", url, { kind: "xhr", idempotent: true, referer: this.livePlayer() }), "直播信息", "not_ready");
    const data = (body.temp as { data?: { duration?: unknown } } | undefined)?.data;
    const duration = Math.floor(Number(data?.duration));
    return { duration: Number.isFinite(duration) && duration > 0 ? duration : 0 };
  }

  /** One minute of the replay watched (`saveTimePc`): true when the platform answers `@success`. Not resent on errors. */
  async saveLiveTime(course: CourseRef, job: Pick<LiveJob, "streamName" | "vdoid">): Promise<boolean> {
    const url = `${this.urls.zhibo}/saveTimePc?${qs({
      streamName: job.streamName, vdoid: job.vdoid, userId: this.requireUserId(), isStart: 0, t: clock.now(), courseId: course.courseId,
    })}`;
    return (await this.text(await this.send("GET", url, { kind: "xhr", referer: this.livePlayer() }), "直播时长")).trim() === "@success";
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** The media's status; `not_ready` while it is still being transcoded (or otherwise not playable). */
  async getMediaStatus(objectId: string, fid: string = this.fid, media: "video" | "audio" = "video"): Promise<MediaStatus> {
    const url = `${this.urls.mooc1}/ananas/status/${encodeURIComponent(objectId)}?${qs({ k: fid, flag: "normal", ro: 0 })}`;
    const res = await this.send("GET", url, { kind: "xhr", idempotent: true, referer: this.playerReferer(media) });
    const body = await this.json(res, "媒体信息", "not_ready");
    const duration = Math.floor(Number(body.duration));
    if (body.status !== "success" || typeof body.dtoken !== "string" || !(duration > 0)) {
      throw new ChaoxingError("not_ready", `视频尚未就绪（可能仍在转码，状态: ${String(body.status)}）`);
    }
    return { dtoken: body.dtoken, duration, objectId: String(body.objectid ?? objectId), filename: String(body.filename ?? "") };
  }

  /**
   * One progress report, every field in the 2025-10 player's order, to the base the page named
   * (`defaults.reportUrl`). rt candidates are tried in order, moving on only after a 403; the rt that
   * worked comes back with the result. Not retried on network errors: the engine decides whether to resend.
   */
  async reportProgress(p: ReportParams): Promise<ReportResult> {
    const userid = this.requireUserId();
    const playingTime = Math.floor(p.playingTime);
    const duration = Math.floor(p.duration);
    const clipTime = p.job.clip ? `${p.job.clip[0]}_${p.job.clip[1]}` : `0_${duration}`;
    const dtype = p.dtype ?? (p.job.type === "audio" ? "Audio" : "Video");
    const enc = await reportEnc({
      clazzId: p.course.clazzId, userid, jobid: p.job.jobid, objectId: p.job.objectId, playingTime, duration, clipTime,
    });
    const base = p.job.reportUrl && isUpstream(this.urls, p.job.reportUrl)
      ? p.job.reportUrl.replace(/\/+$/, "")
      : `${this.urls.mooc1}/mooc-ans/multimedia/log/a/${p.course.cpi}`;
    let lastError: ChaoxingError | null = null;
    for (const rt of p.rt) {
      // otherInfo goes in raw: Chaoxing refuses a percent-encoded one.
      const query =
        `${qs({ clazzId: p.course.clazzId, playingTime, duration, clipTime, objectId: p.job.objectId })}` +
        `&otherInfo=${p.job.otherInfo}&` +
        qs({
          courseId: p.course.courseId, jobid: p.job.jobid, userid, isdrag: p.isdrag, view: "pc", enc, rt,
          videoFaceCaptureEnc: p.job.videoFaceCaptureEnc, dtype, _t: clock.now(), attDuration: p.job.attDuration,
          attDurationEnc: p.job.attDurationEnc, courseEngineInfo: "false",
        });
      const url = `${base}/${p.dtoken}?${query}`;
      const res = await this.send("GET", url, { kind: "xhr", referer: this.playerReferer(dtype === "Audio" ? "audio" : "video"), raw: true });
      const err = await classifyResponse(res, this.urls.passport, url);
      if (err?.kind === "forbidden") {
        lastError = err;
        continue;
      }
      if (err) throw err;
      const body = await this.text(res, "进度上报");
      // A report reply that says `validate` is a captcha too (2026-12 item 14).
      if (isCaptchaBody(body, true)) throw captchaError(url, res.status);
      return { isPassed: parseIsPassed(body), rt };
    }
    throw lastError ?? new ChaoxingError("bad_response", "没有可用的 rt");
  }

  /** true: done; false: refused. A reply that is not JSON is `not_ready`: that job is left for the user. */
  async completeDocument(course: CourseRef, chapterId: string, job: Pick<DocumentJob, "jobid" | "jtoken">): Promise<boolean> {
    const url = `${this.urls.mooc1}/ananas/job/document?${qs({
      jobid: job.jobid, knowledgeid: chapterId, courseid: course.courseId, clazzid: course.clazzId, jtoken: job.jtoken,
      _dc: clock.now(),
    })}`;
    const referer = `${this.urls.mooc1}/ananas/modules/pdf/index.html?v=${PLAYER_VERSION}`;
    return (await this.json(await this.send("GET", url, { kind: "xhr", idempotent: true, referer }), "文档任务", "not_ready")).status === true;
  }

  async completeRead(course: CourseRef, chapterId: string, job: Pick<ReadJob, "jobid" | "jtoken">): Promise<boolean> {
    const url = `${this.urls.mooc1}/ananas/job/readv2?${qs({
      jobid: job.jobid, knowledgeid: chapterId, jtoken: job.jtoken, courseid: course.courseId, clazzid: course.clazzId,
    })}`;
    const res = await this.send("GET", url, { kind: "xhr", idempotent: true, referer: this.studyPage(course, chapterId) });
    return (await this.json(res, "阅读任务", "not_ready")).status === true;
  }

  /** The empty-chapter visit, which also unlocks the next chapter in sequential courses. */
  async visitEmptyChapter(course: CourseRef, chapterId: string): Promise<void> {
    const url = `${this.urls.mooc1}/mooc-ans/mycourse/studentstudyAjax?${qs({
      courseId: course.courseId, clazzid: course.clazzId, chapterId, cpi: course.cpi, verificationcode: "",
      mooc2: 1, microTopicId: 0, editorPreview: 0,
    })}`;
    await this.text(await this.send("GET", url, { kind: "xhr", idempotent: true, referer: this.studyPage(course, chapterId) }), "章节访问");
  }

  // ---- captcha -------------------------------------------------------------------------------

  /** The captcha image, from the host that raised it (`origin` of the captcha error; mooc1 by default). */
  async getCaptchaImage(origin?: string): Promise<{ contentType: string; bytes: Uint8Array }> {
    const at = this.captchaOrigin(origin);
    const url = `${at}/processVerifyPng.ac?t=${clock.now()}`;
    const res = await this.send("GET", url, { kind: "image", idempotent: true, referer: `${at}/antispiderShowVerify.ac`, raw: true });
    const err = await classifyResponse(res, this.urls.passport, url);
    if (err) throw err;
    return { contentType: res.headers.get("Content-Type") ?? "image/png", bytes: new Uint8Array(await res.arrayBuffer()) };
  }

  /** Answers on the host that raised it. true: accepted (302); false: wrong code (202). */
  async submitCaptcha(code: string, origin?: string): Promise<boolean> {
    const at = this.captchaOrigin(origin);
    const url = `${at}/html/processVerify.ac?${qs({ app: 0, ucode: code })}`;
    const res = await this.send("GET", url, { referer: `${at}/antispiderShowVerify.ac`, raw: true });
    if (res.status === 302 || res.status === 301) return true;
    if (res.status === 202) return false;
    throw (await classifyResponse(res, this.urls.passport, url)) ?? new ChaoxingError("bad_response", "验证码接口返回意外内容");
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private captchaOrigin(origin: string | undefined): string {
    if (origin === undefined) return this.urls.mooc1;
    if (!isUpstream(this.urls, origin)) throw new ChaoxingError("bad_response", `验证码来自未知的主机: ${origin}`);
    return new URL(origin).origin;
  }

  private livePlayer(): string {
    return `${this.urls.mooc1}/ananas/modules/live/index.html?v=${LIVE_PLAYER_VERSION}`;
  }

  private playerReferer(media: "video" | "audio"): string {
    const page = media === "audio" ? "audio/index_new.html" : "video/index.html";
    return `${this.urls.mooc1}/ananas/modules/${page}?v=${PLAYER_VERSION}`;
  }

  /** The chapter page that loads the cards (their Referer). */
  private studyPage(course: CourseRef, chapterId: string): string {
    return `${this.urls.mooc1}/mooc-ans/mycourse/studentstudy?${qs({ chapterId, courseId: course.courseId, clazzid: course.clazzId, cpi: course.cpi, mooc2: 1 })}`;
  }

  private postCourseList(folderId: string): Promise<Response> {
    return this.send("POST", `${this.urls.mooc2}/mooc2-ans/visit/courselistdata`, {
      kind: "xhr",
      idempotent: true,
      form: { courseType: "1", courseFolderId: folderId, query: "", superstarClass: "0" },
      referer: `${this.urls.mooc2}/mooc2-ans/visit/interaction?moocDomain=https://mooc1-1.chaoxing.com/mooc-ans`,
      extraHeaders: { "X-Requested-With": "XMLHttpRequest", Origin: this.urls.mooc2 },
    });
  }

}

/** Report replies are JSON, but a JS-style object literal has been seen too. */
export function parseIsPassed(body: string): boolean {
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === "object" && v !== null && "isPassed" in v) return Boolean((v as { isPassed: unknown }).isPassed);
  } catch {
    // not JSON: try the literal form
  }
  const m = /isPassed\s*:\s*(true|false|1|0)\b/.exec(body);
  if (m) return m[1] === "true" || m[1] === "1";
  throw new ChaoxingError("bad_response", `进度上报返回了意外内容: ${body.slice(0, 80)}`);
}
