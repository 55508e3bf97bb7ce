import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { clock } from "../../shared/clock";
import type { SimEnv } from "./env";
import { hostOf, originOf, PASSPORT_PATHS, serves, SSO_PROFILE_PATH } from "./hosts";
import { captureTime, fastAllowed, faceGated, hex32, isRequired, playedRange } from "./model";
import {
  CAPTCHA_PNG, captchaPage, cardsPage, chaptersPage, courseListPage, faceCheckPage, faceRedirectPage, interactionPage, loginPage,
  liveIdOf, margFor, notJsonPage, notOpenPage, streamNameOf, studyAjaxPage, studyPage, vdoidOf,
} from "./pages";
import { passportRoutes } from "./login";
import { judgeReport } from "./report";
import { attDurationEnc, expectedEnc, videoFaceCaptureEnc } from "./sign";
import { captchaCode, type SimAccount, type SimState } from "./state";

type C = Context<SimEnv>;

/** Paths that stay reachable while a captcha is pending. */
const CAPTCHA_PATHS = new Set(["/antispiderShowVerify.ac", "/processVerifyPng.ac", "/html/processVerify.ac"]);
const VIDEO_PLAYER_PATH = "/ananas/modules/video/index.html";
const AUDIO_PLAYER_PATH = "/ananas/modules/audio/index_new.html";
const LIVE_PLAYER_PATH = "/ananas/modules/live/index.html";
/**
 * [unverified] `saveTimePc` credits one minute of a replay per call that comes at least this long after
 * the last one credited: the reference CLI calls once every 59 s (at 1×), a faster client gains nothing.
 */
const LIVE_MINUTE_MS = 50_000;
/** Reports in a face-capture course are refused this long after the first one (the capture was never made). */
const FACE_GRACE_MS = 30_000;
/** The three fields the 2025-10 player copies from the attachment into each report (optional: 2026-12 item 4). */
const REPORT_FIELDS = ["attDuration", "attDurationEnc", "videoFaceCaptureEnc"] as const;

const origin = (c: C): string => c.get("host").origin;
const passportOrigin = (c: C): string => originOf(c.get("host"), "passport2");

const browserLike = (c: C): boolean => {
  const ua = c.req.header("User-Agent") ?? "";
  return ua.startsWith("Mozilla/5.0") && /Chrome\/\d+/.test(ua);
};

const refererPath = (c: C): string | null => {
  const r = c.req.header("Referer");
  if (!r) return null;
  try {
    return new URL(r).pathname;
  } catch {
    return null;
  }
};

const forbidden = (c: C, why: string): Response => c.text(`403 Forbidden: ${why}`, 403);

/** The Chaoxing paths of every host; `hostOf` decides which host a request is for (see hosts.ts). */
export function platformRoutes(st: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();

  // Host, host-only cookies, session, risk control and captcha gates, in the order the platform applies them.
  app.use("*", async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const host = hostOf(c.req.url);
    c.set("host", host);
    if (!serves(host.name, path)) return c.text("404 Not Found", 404);

    // Every host keeps its own JSESSIONID (and route): one issued by another host is not this host's session.
    const sent = getCookie(c, "JSESSIONID");
    const owner = sent ? st.jsessions.get(sent) : undefined;
    c.set("jsessionSent", !sent ? "none" : owner === host.name ? "own" : "foreign");
    if (sent && owner === host.name) c.set("jsession", sent);
    else {
      const fresh = st.issueJsession(host.name);
      c.set("jsession", fresh);
      setCookie(c, "JSESSIONID", fresh, { path: "/", httpOnly: true });
      setCookie(c, "route", hex32(`route:${host.name}`), { path: "/" });
    }

    if (PASSPORT_PATHS.has(path)) return next();
    const token = getCookie(c, "vc3");
    const session = token ? st.session(token) : undefined;
    const account = session && getCookie(c, "_uid") === session.uid ? st.accountByUid(session.uid) : undefined;
    if (!account) {
      const login = `${passportOrigin(c)}/login?fid=&newversion=true&refer=${encodeURIComponent(c.req.url)}`;
      if (st.faults.loginPage200) return c.html(loginPage(passportOrigin(c)));
      return c.redirect(login, 302);
    }
    c.set("account", account);
    // Risk control answers 202 to the old cookie, and to a fresh login's cookie just the same.
    if (st.risk.has(account.uid)) return c.body(null, 202);
    const captcha = st.captchas.get(account.uid);
    if (captcha && (captcha.host ?? host.name) === host.name && !CAPTCHA_PATHS.has(path)) {
      // One raised through the control API binds to the first host (and session) that shows it.
      captcha.host ??= host.name;
      captcha.jsession ??= c.get("jsession");
      return captchaReply(c, account);
    }
    return next();
  });

  const acct = (c: C): SimAccount => {
    const a = c.get("account");
    if (!a) throw new Error("gate let an anonymous request through");
    return a;
  };

  const captchaLocation = (c: C, account: SimAccount): string =>
    `${origin(c)}/antispiderShowVerify.ac?app=1&ucode=${hex32(`ucode:${account.uid}`)}&refer=${encodeURIComponent(c.req.url)}`;

  /** A pending captcha as the platform shows it: the 302 to the verify page, or that page as a 200 or 403 body. */
  const captchaReply = (c: C, account: SimAccount): Response => {
    const form = st.platform.captchaForm;
    if (form === "redirect") return c.redirect(captchaLocation(c, account), 302);
    return c.html(captchaPage(origin(c)), form === "body403" ? 403 : 200);
  };

  // ---- passport: the password and QR-code logins (login.ts) ----------------------------

  passportRoutes(app, st);

  // sso: the session's own account (clients read it after a QR login; `msg.phone` is [inferred] from the
  // public clients that read `msg.name`/`msg.puid` of the same reply).
  app.get(SSO_PROFILE_PATH, (c) => {
    const a = acct(c);
    return c.json({ result: 1, msg: { uid: Number(a.uid), puid: Number(a.uid), name: a.name, uname: "", phone: a.phone, fid: Number(a.fid) || 0 } });
  });

  // ---- mooc2: course list, folders, chapters -------------------------------------------

  app.post("/mooc2-ans/visit/courselistdata", async (c) => {
    const account = acct(c);
    const form = await c.req.parseBody();
    const folderId = String(form.courseFolderId ?? "0");
    // Without a browser's UA and the root list's Referer the root list comes back empty (the reference CLI
    // sends those two, no X-Requested-With, and is answered); a folder's list without them is a page that
    // is not a course list at all (2026-12 item 7), unless switched to answer as older notes said.
    const looksReal = browserLike(c) && refererPath(c) === "/mooc2-ans/visit/interaction";
    if (folderId !== "0" && !looksReal && st.platform.folderListNeedsReferer) return c.html(interactionPage(account.courses));
    const courses = folderId === "0"
      ? (looksReal ? account.courses.filter((x) => x.folder === null) : [])
      : account.courses.filter((x) => x.folder?.id === folderId);
    return c.html(courseListPage(st, account, courses, originOf(c.get("host"), "mooc1")));
  });

  app.get("/mooc2-ans/visit/interaction", (c) => c.html(interactionPage(acct(c).courses)));

  app.get("/mooc2-ans/mycourse/studentcourse", (c) => {
    const account = acct(c);
    const course = st.findCourse(account, c.req.query("courseid") ?? "", c.req.query("clazzid") ?? "");
    if (!course || c.req.query("cpi") !== st.cpiOf(account, course)) return forbidden(c, "course");
    return c.html(chaptersPage(st, account, course));
  });

  // ---- mooc1-api: job counts -----------------------------------------------------------

  app.post("/job/myjobsnodesmap", async (c) => {
    const account = acct(c);
    const f = await c.req.parseBody();
    const course = st.findCourse(account, String(f.courseid ?? ""), String(f.clazzid ?? ""));
    if (!course || f.cpi !== st.cpiOf(account, course) || f.userid !== account.uid) return forbidden(c, "course");
    const refused = st.faults.jobCountsRefused === true;
    const out: Record<string, object> = {};
    for (const id of String(f.nodes ?? "").split(",")) {
      const ch = course.chapters.find((x) => x.id === id);
      if (!ch) continue;
      const required = ch.jobs.filter(isRequired);
      const finished = required.filter((j) => st.isJobPassed(account.uid, j)).length;
      // A refusal is a 200 with every count zero, not a 403.
      out[id] = refused
        ? { totalcount: 0, finishcount: 0, unfinishcount: 0, openlock: 0, clickcount: 0 }
        : {
            totalcount: required.length,
            finishcount: finished,
            unfinishcount: required.length - finished,
            openlock: st.chapterBlock(account.uid, course, ch) === "locked" ? 1 : 0,
            clickcount: st.visited.has(`${account.uid}|${ch.id}`) ? 1 : 0,
          };
    }
    return c.json(out);
  });

  // ---- mooc1: chapter page, cards, media, reports, documents, reads, visits ------------

  app.get("/mooc-ans/mycourse/studentstudy", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const course = st.findCourse(account, q.courseId ?? "", q.clazzid ?? "");
    if (!course || q.enc !== st.courseEnc(account, course)) return forbidden(c, "course");
    const chapter = course.chapters.find((x) => x.id === q.chapterId);
    if (!chapter) return c.text("章节不存在", 404);
    return c.html(studyPage(course, chapter));
  });

  app.get("/mooc-ans/knowledge/cards", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const course = st.findCourse(account, q.courseid ?? "", q.clazzid ?? "");
    if (!course || q.cpi !== st.cpiOf(account, course)) return forbidden(c, "course");
    const chapter = course.chapters.find((x) => x.id === q.knowledgeid);
    if (!chapter) return c.text("章节不存在", 404);
    const face = `${origin(c)}/mooc-ans/knowledge/startface?courseId=${course.courseId}&clazzid=${course.clazzId}&knowledgeid=${chapter.id}`;
    if (course.faceCheck === "redirect") return c.redirect(face, 302);
    if (course.faceCheck === "page") return c.html(faceRedirectPage(face));
    if (st.chapterBlock(account.uid, course, chapter)) return c.html(notOpenPage());
    const num = Number(q.num ?? "0");
    const reportBase = course.reportHost ? originOf(c.get("host"), course.reportHost as `mooc1${string}`) : origin(c);
    return c.html(cardsPage(margFor(st, account, course, chapter, Number.isInteger(num) ? num : 0, reportBase)));
  });

  app.get("/mooc-ans/knowledge/startface", (c) => c.html(faceCheckPage()));

  app.get("/ananas/status/:objectId", (c) => {
    const account = acct(c);
    const found = st.findObject(account, c.req.param("objectId"));
    const job = found?.job;
    if (!job || (job.type !== "video" && job.type !== "audio")) return c.json({ status: "error" });
    if (job.transcodeFailed) return c.json({ status: "failed", objectid: job.objectId });
    // [unverified] the status word of media still being transcoded.
    if (st.isTranscoding(job)) return c.json({ status: "waiting", objectid: job.objectId });
    return c.json({
      length: job.duration * 131072,
      duration: job.duration,
      dtoken: st.dtoken(account.uid, job.objectId),
      filename: job.name,
      crc: hex32(`crc:${job.objectId}`),
      key: hex32(`key:${job.objectId}`),
      objectid: job.objectId,
      status: "success",
    });
  });

  app.get("/mooc-ans/multimedia/log/a/:cpi/:dtoken", async (c) => {
    const account = acct(c);
    const q = c.req.query();
    if (!browserLike(c)) return forbidden(c, "client");
    const dtype = q.dtype;
    const wantReferer = dtype === "Audio" ? AUDIO_PLAYER_PATH : dtype === "Video" ? VIDEO_PLAYER_PATH : null;
    if (!wantReferer || refererPath(c) !== wantReferer) return forbidden(c, "referer");
    // The platform refuses a percent-encoded otherInfo.
    const rawOther = (c.req.url.split("?")[1] ?? "").split("&").find((p) => p.startsWith("otherInfo="));
    if (!rawOther || rawOther.includes("%")) return forbidden(c, "otherInfo");
    const found = st.findJob(account, q.jobid ?? "");
    if (!found || (found.job.type !== "video" && found.job.type !== "audio")) return forbidden(c, "job");
    const { course, chapter, job } = found;
    const ok =
      c.req.param("cpi") === st.cpiOf(account, course) &&
      q.courseId === course.courseId && q.clazzId === course.clazzId && q.objectId === job.objectId &&
      q.userid === account.uid && q.view === "pc" && !job.transcodeFailed && !st.isTranscoding(job);
    if (!ok) return forbidden(c, "params");
    // [unverified] strictness: reports go to the base the page named in `reportUrl` (another mooc1 host may serve it).
    if (course.reportHost && c.get("host").parent !== null && c.get("host").name !== course.reportHost) return forbidden(c, "report host");
    if (st.chapterBlock(account.uid, course, chapter)) return forbidden(c, "chapter");
    if (c.req.param("dtoken") !== st.dtoken(account.uid, job.objectId)) return forbidden(c, "dtoken");
    if (dtype !== (job.type === "audio" ? "Audio" : "Video")) return forbidden(c, "dtype");
    const [begins, ends] = playedRange(job);
    const playingTime = Number(q.playingTime);
    if (Number(q.duration) !== job.duration) return forbidden(c, "duration");
    if (q.clipTime !== `${begins}_${ends}`) return forbidden(c, "clipTime");
    // The attachment's three fields: sent when the attachment has them, and then they must be its own;
    // a report without them is accepted (2026-12 item 4).
    const fields = { attDuration: String(job.duration), attDurationEnc: attDurationEnc(account.uid, job.jobid, job.duration), videoFaceCaptureEnc: videoFaceCaptureEnc(account.uid, job.jobid) };
    for (const k of REPORT_FIELDS) if (q[k] && q[k] !== fields[k]) return forbidden(c, k);
    if (!Number.isInteger(playingTime) || playingTime < 0 || playingTime > job.duration) return forbidden(c, "playingTime");
    if (q.rt !== job.rt) return forbidden(c, "rt");
    const enc = await expectedEnc({
      clazzId: course.clazzId, userid: account.uid, jobid: job.jobid, objectId: job.objectId, playingTime, duration: job.duration,
      clipTime: q.clipTime,
    });
    if (q.enc !== enc) return forbidden(c, "enc");
    const progress = st.jobProgress(account.uid, job.jobid);
    if (faceGated(course) && progress.firstReportAt !== null && clock.now() - progress.firstReportAt > FACE_GRACE_MS) return forbidden(c, "face");
    // A course that captures: past the video's capture point without the photo, nothing is accepted.
    const capture = captureTime(course, job);
    if (capture > 0 && playingTime >= capture) return forbidden(c, "face");
    // Captchas come from report frequency, and belong to the host (and JSESSIONID) that saw it.
    if (st.reportTooFrequent(account.uid, c.get("host").name)) {
      st.captchas.set(account.uid, { answer: captchaCode(), host: c.get("host").name, jsession: c.get("jsession") });
      return captchaReply(c, account);
    }
    const rest = st.studyCapRemaining();
    if (rest > 0) return c.text(`{"code":20,"msg":"code=20 学习时长超过限制，请休息后再继续学习 [restTime:${rest}]"}`, 403);
    const before = { watchedS: progress.watchedS, passed: progress.passed, lastReportAt: progress.lastReportAt };
    const judged = { range: [begins, ends] as [number, number], fastAllowed: fastAllowed(course, job), realTime: st.platform.realTimeCompletion, strict: course.strictRealTime };
    const isPassed = judgeReport(progress, playingTime, judged, clock.now());
    st.afterReport(account, progress, before, clock.now());
    if (st.faults.jsLiteralReports) {
      return c.body(`{isPassed:${isPassed},videoTimeLimit:false,hasJobLimit:false}`, 200, { "Content-Type": "text/html;charset=UTF-8" });
    }
    return c.json({ isPassed, videoTimeLimit: false, hasJobLimit: false, videoFaceCaptureEnc: "" });
  });

  const completeSimple = (type: "document" | "read", msg: string) => (c: C) => {
    const account = acct(c);
    const q = c.req.query();
    const found = st.findJob(account, q.jobid ?? "");
    if (!found || found.job.type !== type || found.chapter.id !== q.knowledgeid) return c.json({ status: false, msg: "任务点不存在" });
    const { course, chapter, job } = found;
    if (q.courseid !== course.courseId || q.clazzid !== course.clazzId || q.jtoken !== st.jtoken(account.uid, job.jobid)) {
      return c.json({ status: false, msg: "参数错误" });
    }
    if (st.chapterBlock(account.uid, course, chapter)) return forbidden(c, "chapter");
    // Not every reply is JSON: then the job is not done, and a client must not count it.
    if (job.notJson || st.takeFault("nonJsonJobs", new URL(c.req.url).pathname)) return c.html(notJsonPage());
    st.done.add(`${account.uid}|${job.jobid}`);
    return c.json({ status: true, msg });
  };
  app.get("/ananas/job/document", completeSimple("document", "success"));
  app.get("/ananas/job/readv2", completeSimple("read", "阅读任务完成"));

  app.get("/mooc-ans/mycourse/studentstudyAjax", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const course = st.findCourse(account, q.courseId ?? "", q.clazzid ?? "");
    // Real clients send `cpi=0` here, and it works: only the course and class are checked.
    if (!course || (q.cpi !== st.cpiOf(account, course) && q.cpi !== "0")) return forbidden(c, "course");
    const chapter = course.chapters.find((x) => x.id === q.chapterId);
    if (!chapter) return c.text("章节不存在", 404);
    if (!st.chapterBlock(account.uid, course, chapter)) st.visited.add(`${account.uid}|${chapter.id}`);
    return c.html(studyAjaxPage(chapter));
  });

  // ---- live replays (reference CLI api/live.py, 2026-12 item 12) --------------------------

  const findLive = (account: SimAccount, liveId: string) => {
    for (const course of account.courses)
      for (const chapter of course.chapters) for (const job of chapter.jobs) if (job.type === "live" && liveIdOf(job) === liveId) return { course, chapter, job };
    return undefined;
  };

  app.get("/ananas/live/liveinfo", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const found = findLive(account, q.liveid ?? "");
    if (!found || q.userid !== account.uid || q.courseid !== found.course.courseId || q.clazzid !== found.course.clazzId || q.knowledgeid !== found.chapter.id) {
      return c.json({ status: false, msg: "参数错误" });
    }
    const { job } = found;
    // [unverified] the reply's fields beside `temp.data.duration`, the only one clients read.
    return c.json({
      status: true,
      temp: { data: { liveId: liveIdOf(job), title: job.name, streamName: streamNameOf(job), vdoid: vdoidOf(job), duration: job.notStarted ? 0 : job.duration, liveStatus: job.notStarted ? 0 : 4 } },
    });
  });

  app.get("/saveTimePc", (c) => {
    const account = acct(c);
    const q = c.req.query();
    if (!browserLike(c) || refererPath(c) !== LIVE_PLAYER_PATH) return forbidden(c, "referer");
    const found = account.courses.flatMap((course) => course.chapters.flatMap((ch) => ch.jobs.map((job) => ({ course, job }))))
      .find(({ job }) => job.type === "live" && streamNameOf(job) === q.streamName && vdoidOf(job) === q.vdoid);
    if (!found || q.userId !== account.uid || q.courseId !== found.course.courseId) return c.text("@fail");
    const p = st.liveProgress(account.uid, found.job.jobid);
    p.calls++;
    // A replay that has not started has nothing to credit; a call too soon after the last counted one neither.
    const now = clock.now();
    if (!found.job.notStarted && (p.lastAt === null || now - p.lastAt >= LIVE_MINUTE_MS)) {
      p.minutes++;
      p.lastAt = now;
    }
    return c.text("@success");
  });

  // ---- captcha (on whichever host raised it) -------------------------------------------

  app.get("/antispiderShowVerify.ac", (c) => c.html(captchaPage(origin(c))));

  app.get("/processVerifyPng.ac", (c) => c.body(CAPTCHA_PNG, 200, { "Content-Type": "image/png", "Cache-Control": "no-store" }));

  app.get("/html/processVerify.ac", (c) => {
    const account = acct(c);
    const captcha = st.captchas.get(account.uid);
    if (captcha) {
      // The code was shown to one session of one host: an answer from anywhere else is a wrong answer.
      const here = (captcha.host ?? c.get("host").name) === c.get("host").name && (captcha.jsession ?? c.get("jsession")) === c.get("jsession");
      if (!here || (c.req.query("ucode") ?? "").toLowerCase() !== captcha.answer) return c.body("验证码错误", 202);
      st.captchas.delete(account.uid);
      st.reportTimes.delete(`${account.uid}|${c.get("host").name}`);
    }
    return c.redirect(`${origin(c)}/`, 302);
  });

  return app;
}
