import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { decryptLoginField, reportEnc } from "../chaoxing/crypto";
import { clock } from "../lib/clock";
import { hex32, isRequired } from "./model";
import {
  CAPTCHA_PNG, captchaPage, cardsPage, chaptersPage, courseListPage, faceCheckPage, interactionPage, loginPage, margFor,
  notOpenPage,
} from "./pages";
import { judgeReport } from "./report";
import type { SimAccount, SimState } from "./state";

export type SimEnv = { Variables: { account: SimAccount | null } };
type C = Context<SimEnv>;

/** Paths reachable without a session (passport). */
const PUBLIC_PATHS = new Set(["/fanyalogin", "/login"]);
/** Paths that stay reachable while a captcha is pending. */
const CAPTCHA_PATHS = new Set(["/antispiderShowVerify.ac", "/processVerifyPng.ac", "/html/processVerify.ac"]);
const VIDEO_PLAYER_PATH = "/ananas/modules/video/index.html";
const AUDIO_PLAYER_PATH = "/ananas/modules/audio/index_new.html";

const origin = (c: C): string => new URL(c.req.url).origin;
/** Behind real hostnames the login page lives on passport2; behind one base URL, at that origin. */
const passportOrigin = (c: C): string =>
  new URL(c.req.url).hostname.endsWith("chaoxing.com") ? "https://passport2.chaoxing.com" : origin(c);

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

/** The Chaoxing paths of every host on one Hono app (they do not collide). */
export function platformRoutes(st: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();

  // Session and captcha gates, in the order the platform applies them.
  app.use("*", async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (PUBLIC_PATHS.has(path)) return next();
    const token = getCookie(c, "vc3");
    const session = token ? st.sessions.get(token) : undefined;
    const account = session && getCookie(c, "_uid") === session.uid ? st.accountByUid(session.uid) : undefined;
    if (!account) {
      return c.redirect(`${passportOrigin(c)}/login?fid=&newversion=true&refer=${encodeURIComponent(c.req.url)}`, 302);
    }
    c.set("account", account);
    if (st.captchas.has(account.uid) && !CAPTCHA_PATHS.has(path)) {
      const ucode = hex32(`ucode:${account.uid}`);
      return c.redirect(`${origin(c)}/antispiderShowVerify.ac?app=1&ucode=${ucode}&refer=${encodeURIComponent(c.req.url)}`, 302);
    }
    return next();
  });

  const acct = (c: C): SimAccount => {
    const a = c.get("account");
    if (!a) throw new Error("gate let an anonymous request through");
    return a;
  };

  // ---- passport ------------------------------------------------------------------------

  app.get("/login", (c) => c.html(loginPage()));

  app.post("/fanyalogin", async (c) => {
    const form = await c.req.parseBody();
    const fail = () => c.json({ status: false, msg2: "用户名或密码错误", mes: "用户名或密码错误" });
    if (form.t !== "true" || typeof form.uname !== "string" || typeof form.password !== "string") return fail();
    let phone: string;
    let password: string;
    try {
      phone = await decryptLoginField(form.uname);
      password = await decryptLoginField(form.password);
    } catch {
      return fail();
    }
    const account = st.accounts.get(phone);
    if (!account || account.password !== password) return fail();
    c.set("account", account);
    // No Domain attribute: the real `.chaoxing.com` would be rejected behind localhost.
    const cookies: Record<string, string> = {
      JSESSIONID: hex32(`js:${clock.now()}:${st.nextId()}`).toUpperCase(),
      fid: account.fid,
      _uid: account.uid,
      UID: account.uid,
      uf: hex32(`uf:${account.uid}`),
      _d: String(clock.now()),
      vc3: st.openSession(account),
      xxtenc: hex32(`xxt:${account.uid}`),
    };
    for (const [k, v] of Object.entries(cookies)) setCookie(c, k, v, { path: "/" });
    return c.json({ url: "https%3A%2F%2Fi.chaoxing.com", status: true });
  });

  // ---- mooc2: course list, folders, chapters -------------------------------------------

  app.post("/mooc2-ans/visit/courselistdata", async (c) => {
    const account = acct(c);
    const form = await c.req.parseBody();
    // Without browser-like headers the real list comes back empty.
    const looksReal = browserLike(c) && refererPath(c) === "/mooc2-ans/visit/interaction";
    const folderId = String(form.courseFolderId ?? "0");
    const courses = looksReal
      ? account.courses.filter((x) => (folderId === "0" ? x.folder === null : x.folder?.id === folderId))
      : [];
    return c.html(courseListPage(st, account, courses, origin(c)));
  });

  app.get("/mooc2-ans/visit/interaction", (c) => c.html(interactionPage(acct(c).courses)));

  app.get("/mooc2-ans/mycourse/studentcourse", (c) => {
    const account = acct(c);
    const course = st.findCourse(account, c.req.query("courseid") ?? "", c.req.query("clazzid") ?? "");
    if (!course || c.req.query("cpi") !== st.cpiOf(account, course)) return forbidden(c, "course");
    return c.html(chaptersPage(st, account.uid, course));
  });

  // ---- mooc1-api: job counts -----------------------------------------------------------

  app.post("/job/myjobsnodesmap", async (c) => {
    const account = acct(c);
    const f = await c.req.parseBody();
    const course = st.findCourse(account, String(f.courseid ?? ""), String(f.clazzid ?? ""));
    if (!course || f.cpi !== st.cpiOf(account, course) || f.userid !== account.uid) return forbidden(c, "course");
    const out: Record<string, object> = {};
    for (const id of String(f.nodes ?? "").split(",")) {
      const ch = course.chapters.find((x) => x.id === id);
      if (!ch) continue;
      const required = ch.jobs.filter(isRequired);
      const finished = required.filter((j) => st.isJobPassed(account.uid, j)).length;
      out[id] = {
        totalcount: required.length,
        finishcount: finished,
        unfinishcount: required.length - finished,
        openlock: st.chapterBlock(account.uid, course, ch) === "locked" ? 1 : 0,
        clickcount: st.visited.has(`${account.uid}|${ch.id}`) ? 1 : 0,
      };
    }
    return c.json(out);
  });

  // ---- mooc1: cards, media, reports, documents, reads, visits --------------------------

  app.get("/mooc-ans/knowledge/cards", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const course = st.findCourse(account, q.courseid ?? "", q.clazzid ?? "");
    if (!course || q.cpi !== st.cpiOf(account, course)) return forbidden(c, "course");
    const chapter = course.chapters.find((x) => x.id === q.knowledgeid);
    if (!chapter) return c.text("章节不存在", 404);
    if (course.faceCheck === "redirect") {
      return c.redirect(`${origin(c)}/mooc-ans/knowledge/startface?courseId=${course.courseId}&clazzid=${course.clazzId}&knowledgeid=${chapter.id}`, 302);
    }
    if (st.chapterBlock(account.uid, course, chapter)) return c.html(notOpenPage());
    const num = Number(q.num ?? "0");
    return c.html(cardsPage(margFor(st, account, course, chapter, Number.isInteger(num) ? num : 0, origin(c))));
  });

  app.get("/mooc-ans/knowledge/startface", (c) => c.html(faceCheckPage()));

  app.get("/ananas/status/:objectId", (c) => {
    const account = acct(c);
    const job = st.findObject(account, c.req.param("objectId"));
    if (!job || (job.type !== "video" && job.type !== "audio")) return c.json({ status: "error" });
    if (job.transcodeFailed) return c.json({ status: "failed", objectid: job.objectId });
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
      q.userid === account.uid && q.view === "pc" && !job.transcodeFailed;
    if (!ok) return forbidden(c, "params");
    if (st.chapterBlock(account.uid, course, chapter)) return forbidden(c, "chapter");
    if (c.req.param("dtoken") !== st.dtoken(account.uid, job.objectId)) return forbidden(c, "dtoken");
    if (dtype !== (job.type === "audio" ? "Audio" : "Video")) return forbidden(c, "dtype");
    const playingTime = Number(q.playingTime);
    if (Number(q.duration) !== job.duration || q.clipTime !== `0_${job.duration}`) return forbidden(c, "duration");
    if (!Number.isInteger(playingTime) || playingTime < 0 || playingTime > job.duration) return forbidden(c, "playingTime");
    if (q.rt !== job.rt) return forbidden(c, "rt");
    const enc = await reportEnc({
      clazzId: course.clazzId, userid: account.uid, jobid: job.jobid, objectId: job.objectId, playingTime, duration: job.duration,
    });
    if (q.enc !== enc) return forbidden(c, "enc");
    const rest = st.studyCapRemaining();
    if (rest > 0) return c.text(`{"code":20,"msg":"code=20 学习时长超过限制，请休息后再继续学习 [restTime:${rest}]"}`, 403);
    const isPassed = judgeReport(st.jobProgress(account.uid, job.jobid), playingTime, job.duration, clock.now());
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
    st.done.add(`${account.uid}|${job.jobid}`);
    return c.json({ status: true, msg });
  };
  app.get("/ananas/job/document", completeSimple("document", "success"));
  app.get("/ananas/job/readv2", completeSimple("read", "阅读任务完成"));

  app.get("/mooc-ans/mycourse/studentstudyAjax", (c) => {
    const account = acct(c);
    const q = c.req.query();
    const course = st.findCourse(account, q.courseId ?? "", q.clazzid ?? "");
    if (!course || q.cpi !== st.cpiOf(account, course)) return forbidden(c, "course");
    const chapter = course.chapters.find((x) => x.id === q.chapterId);
    if (!chapter) return c.text("章节不存在", 404);
    if (!st.chapterBlock(account.uid, course, chapter)) st.visited.add(`${account.uid}|${chapter.id}`);
    return c.html(`<div class="prev_title_show"><span class="prev_title" title="${chapter.id}"></span></div>`);
  });

  // ---- captcha -------------------------------------------------------------------------

  app.get("/antispiderShowVerify.ac", (c) => c.html(captchaPage(origin(c))));

  app.get("/processVerifyPng.ac", (c) => c.body(CAPTCHA_PNG, 200, { "Content-Type": "image/png", "Cache-Control": "no-store" }));

  app.get("/html/processVerify.ac", (c) => {
    const account = acct(c);
    const answer = st.captchas.get(account.uid);
    if (answer !== undefined && (c.req.query("ucode") ?? "").toLowerCase() !== answer) return c.body("验证码错误", 202);
    st.captchas.delete(account.uid);
    return c.redirect(`${origin(c)}/`, 302);
  });

  return app;
}
