import { captureTime, faceGated, hex32, isRequired, playedRange, type SimChapter, type SimCourse, type SimJob } from "./model";
import { attDurationEnc, videoFaceCaptureEnc } from "./sign";
import type { SimAccount, SimState } from "./state";

/** HTML and mArg in the shapes the real pages have (the parts clients read). */

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

const page = (title: string, body: string, head = ""): string =>
  `<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>${head}</head>\n<body>\n${body}\n</body></html>`;

/** `courselistdata`: one `div.course` per course; links go to mooc1 (https:// behind real host names). */
export function courseListPage(st: SimState, account: SimAccount, courses: SimCourse[], mooc1: string): string {
  const items = courses.map((c) => {
    const cpi = st.cpiOf(account, c);
    const href = `${mooc1}/visit/stucoursemiddle?courseid=${c.courseId}&clazzid=${c.clazzId}&cpi=${cpi}&ismooc2=1`;
    const tip = c.notOpen ? `<a class="not-open-tip" href="javascript:;">课程未开放</a>` : "";
    const status = c.state === 1 ? `<div class="course-status">已结束</div>` : "";
    // [unverified] markup: a public client reads this line from each card with the regex
    // 开课时间：\s*(\d{4}-\d{2}-\d{2})\s*[～~-]\s*(\d{4}-\d{2}-\d{2}) (its source says the end is often
    // the start plus two years); the element and class around it are not known.
    const period = c.period ? `\n    <p class="overHidden1">开课时间：${c.period[0]}～${c.period[1]}</p>` : "";
    return `<div class="course clearfix learnCourse" id="course_${c.courseId}_${c.clazzId}" info="${c.courseId}" roleid="3">
  <div class="course-cover"><a href="${esc(href)}" target="_blank"><img src="${mooc1}/star3/240_130c/${hex32(c.courseId)}.png"></a>${tip}${status}</div>
  <div class="course-info">
    <h3 class="inlineBlock"><a class="color1" href="${esc(href)}" target="_blank"><span class="course-name overHidden2" title="${esc(c.name)}">${esc(c.name)}</span></a></h3>
    <p class="margint10 line2 color2" title="${esc(c.name)}">${esc(c.name)}</p>
    <p class="line2 color3" title="${esc(c.teacher)}">${esc(c.teacher)}</p>
    <p class="overHidden1">班级：${esc(c.clazzName)}</p>${period}
  </div>
  <input type="hidden" class="clazzId" value="${c.clazzId}"><input type="hidden" class="courseId" value="${c.courseId}">
</div>`;
  });
  return `<div class="course-list" id="courseList">\n${items.join("\n")}\n</div>`;
}

/** `visit/interaction`: the page holding the folder list. */
export function interactionPage(courses: SimCourse[]): string {
  const folders = new Map<string, string>();
  for (const c of courses) if (c.folder) folders.set(c.folder.id, c.folder.name);
  const lis = [...folders].map(
    ([id, name]) =>
      `<li fileid="${id}"><a href="javascript:;" class="file-name">${esc(name)}</a><input type="text" class="rename-input" value="${esc(name)}" maxlength="20"></li>`,
  );
  return page("课程", `<div class="course-folder"><ul class="file-list">\n${lis.join("\n")}\n</ul></div>`);
}

/**
 * `mycourse/studentcourse`: the chapter tree, with the hidden inputs its script builds chapter links from
 * ([unverified] `#enc`: the course-level enc of `mycourse/studentstudy` links).
 */
export function chaptersPage(st: SimState, account: SimAccount, course: SimCourse): string {
  const uid = account.uid;
  const units: string[] = [];
  let open: string | null = null;
  let items: string[] = [];
  const flush = (): void => {
    if (open === null) return;
    units.push(`<div class="chapter_unit"><div class="chapter_item"><div class="catalog_name"><span title="${esc(open)}">${esc(open)}</span></div></div>
<ul>${items.join("\n")}</ul></div>`);
    items = [];
  };
  for (const ch of course.chapters) {
    if (ch.unit !== open || open === null) {
      flush();
      open = ch.unit;
    }
    items.push(chapterItem(st, uid, course, ch));
  }
  flush();
  const inputs = `<input type="hidden" id="courseid" value="${course.courseId}"><input type="hidden" id="clazzid" value="${course.clazzId}">` +
    `<input type="hidden" id="cpi" value="${st.cpiOf(account, course)}"><input type="hidden" id="enc" value="${st.courseEnc(account, course)}">`;
  return page(course.name, `${inputs}\n<div class="fanyaChapter"><div class="chapter_body xs_table">\n${units.join("\n")}\n</div></div>`);
}

function chapterItem(st: SimState, uid: string, course: SimCourse, ch: SimChapter): string {
  const block = st.chapterBlock(uid, course, ch);
  const count = ch.jobs.filter(isRequired).length;
  let jindu: string;
  if (block === "locked") jindu = `<span class="bntHoverTips">完成前面章节任务点后解锁</span>`;
  else {
    const tip = block === "not_open" ? "章节未开放" : st.isChapterDone(uid, ch) ? "已完成" : `${count}个待完成任务点`;
    jindu = `<input type="hidden" class="knowledgeJobCount" value="${count}"><span class="bntHoverTips">${tip}</span>`;
  }
  return `<li><div class="chapter_item" id="cur${ch.id}" onclick="toOld('${course.courseId}', '${ch.id}', '${course.clazzId}')">
  <div class="catalog_name newCatalog_name"><a class="clicktitle" href="javascript:void(0)">${esc(ch.title)}</a></div>
  <div class="catalog_jindu">${jindu}</div>
</div></li>`;
}

/** The cards page of one tab, with `mArg` assigned twice (a string first, then the object). */
export function cardsPage(marg: object): string {
  const script = `<script type="text/javascript">
var mArg = "";
mArg = "jumpTabs";
</script>
<script type="text/javascript">
try {
  mArg = ${JSON.stringify(marg)};
} catch (e) { console.log(e); }
</script>`;
  return page("学生学习页面", `<div class="main"><iframe id="iframe" src="about:blank"></iframe></div>`, script);
}

export const notOpenPage = (): string => page("学生学习页面", `<div class="tipsBox"><p class="tipsText">章节未开放！</p></div>`);

/**
 * The chapter page a user opens in the browser (`mycourse/studentstudy`): the top page whose DOM holds the
 * face masks of a course that captures (`#chapterFaceState`, `.maskDiv1`; ocsjs `isFaceRequired`).
 */
export const studyPage = (course: SimCourse, ch: SimChapter): string => {
  const masks = course.faceCheck === "mask"
    ? `<input type="hidden" id="chapterFaceState" value="1"><div class="maskDiv1" style="display:none"><div class="chapterVideoFaceMaskDiv"></div></div>`
    : "";
  return page(`${course.name} - ${ch.title}`, `${masks}<div class="course_main"><h2 class="prev_title">${esc(ch.title)}</h2><iframe id="iframe" src="about:blank"></iframe></div>`);
};

/** The card id of tab `num` of a chapter (`defaults.cardid`, and `li[cardid]` of the tab bar). */
export const cardIdOf = (ch: SimChapter, num: number): number => 80000000 + ((Number(ch.id) * 7 + num) % 10000000);

/**
 * `mycourse/studentstudyAjax`: the chapter's skeleton, with its tab bar `#prev_tab .prev_ul li`; every tab
 * that is a card carries its `cardid` (2026-12 item 10). A chapter may have more than seven.
 */
export function studyAjaxPage(ch: SimChapter): string {
  const names = (tab: SimJob[]): string => (tab.some((j) => j.type === "video" || j.type === "audio") ? "视频" : tab.length ? "任务" : "图文");
  const lis = ch.tabs.map(
    (tab, i) =>
      `<li title="${names(tab)}" onclick="changeDisplayContent(${i + 1},${ch.tabs.length},1,'${ch.id}',${cardIdOf(ch, i)})" cardid="${cardIdOf(ch, i)}"${i === 0 ? ' class="active"' : ""}><span>${i + 1}</span><div class="prev_white">${names(tab)}</div></li>`,
  );
  return `<div class="prev_title_show"><span class="prev_title" title="${esc(ch.title)}">${esc(ch.title)}</span></div>
<div class="prev_tab" id="prev_tab"><div class="prev_list"><ul class="prev_ul clearfix">
${lis.join("\n")}
</ul></div></div>
<div class="course_main"><div id="iframe_box"></div></div>`;
}

/** What a face course's cards answer in 2026: a 200 page whose script sends the browser to the face capture. */
export const faceRedirectPage = (to: string): string =>
  page("学生学习页面", `<div class="main"></div>`, `<script type="text/javascript">window.location.href = "${to}";</script>`);

/**
 * The capture fields of `defaults` (2026-12 item 2): the gate's four flags for `flag`, `chapterCapture`
 * alone for `chapterOnly`, the captured real mArg's for `capture` (no `isSupportFace` at all), none for
 * the others (a `mask` course shows only on its chapter page).
 */
function captureFlags(course: SimCourse): Record<string, number> {
  const off = { chapterCapture: 0, playingCapture: 0, startCapture: 0, playingLoopCapture: 0, endCapture: 0, captureInterval: 300 };
  switch (course.faceCheck) {
    case "flag":
    case "page":
    case "redirect":
      return { ...off, chapterCapture: 1, playingCapture: 1, isSupportFace: 1, isShowFaceCollection: 1 };
    case "chapterOnly":
      return { ...off, chapterCapture: 1, isSupportFace: 1, isShowFaceCollection: 1 };
    case "capture":
      return { ...off, playingCapture: 1, startCapture: 1, playingLoopCapture: 1 };
    default:
      return { ...off, isSupportFace: 0, isShowFaceCollection: 0 };
  }
}

/** `mArg` of one tab, with the fields real pages carry in 2026 (no `isFaceCheck`: the gate is the capture flags). */
export function margFor(st: SimState, account: SimAccount, course: SimCourse, ch: SimChapter, num: number, reportBase: string): object {
  const cpi = st.cpiOf(account, course);
  const speed = course.schooldoublespeed === null ? {} : { schooldoublespeed: course.schooldoublespeed };
  return {
    attachments: (ch.tabs[num] ?? []).filter((job) => st.isJobVisible(account.uid, ch, job)).map((job) => attachment(st, account.uid, course, ch, job, cpi)),
    defaults: {
      fid: account.fid,
      ktoken: hex32(`ktoken:${course.courseId}:${ch.id}`),
      mtEnc: hex32(`mt:${ch.id}`),
      reportTimeInterval: 60,
      defenc: hex32(`def:${ch.id}`),
      cardid: cardIdOf(ch, num),
      cpi: Number(cpi),
      qnenc: hex32(`qn:${ch.id}`),
      knowledgeid: Number(ch.id),
      reportUrl: `${reportBase}/mooc-ans/multimedia/log/a/${cpi}`,
      ...captureFlags(course),
      ...speed,
      clazzId: Number(course.clazzId),
      courseid: Number(course.courseId),
      userid: account.uid,
    },
    control: true,
  };
}

function otherInfo(course: SimCourse, ch: SimChapter, job: SimJob, cpi: string): string {
  const rt = job.rtIn === "otherInfo" ? `-rt_${job.rt === "0.9" ? "d" : "1"}` : "";
  return `nodeId_${ch.id}-cpi_${cpi}${rt}-ds_0-ff_1-be_0_0-vt_1-v_6-enc_${hex32(`oi:${job.jobid}`)}&courseId=${course.courseId}`;
}

function attachment(st: SimState, uid: string, course: SimCourse, ch: SimChapter, job: SimJob, cpi: string): object {
  const isPassed = st.isJobPassed(uid, job);
  const common = { jobid: job.jobid, isPassed, otherInfo: otherInfo(course, ch, job, cpi), aid: Number(job.workId) };
  switch (job.type) {
    case "video":
    case "audio": {
      const mid = hex32(`mid:${job.objectId}`).slice(0, 24);
      const property: Record<string, unknown> = {
        switchwindow: "true",
        module: job.type === "audio" ? "insertaudio" : "insertvideo",
        name: job.name,
        type: job.type === "audio" ? ".mp3" : ".mp4",
        doublespeed: job.doublespeed,
        objectid: job.objectId,
        jobid: job.jobid,
        _jobid: job.jobid,
      };
      if (!job.transcodeFailed) property.mid = mid;
      if (job.rtIn === "property") property.rt = job.rt;
      const [begins, ends] = playedRange(job);
      // As in the captured mArg (2026-12 item 3): `attDuration` the media's whole length as a number, and
      // `begins: 0, ends: 0` where there is no clip.
      const att: Record<string, unknown> = {
        ...common,
        type: "video",
        job: !job.transcodeFailed,
        objectId: job.objectId,
        playTime: (st.progress.get(`${uid}|${job.jobid}`)?.playTimeS ?? 0) * 1000,
        attDuration: job.duration,
        attDurationEnc: attDurationEnc(uid, job.jobid, job.duration),
        videoFaceCaptureEnc: videoFaceCaptureEnc(uid, job.jobid),
        randomCaptureTime: faceGated(course) ? 30 : captureTime(course, job),
        begins: job.clip ? begins : 0,
        ends: job.clip ? ends : 0,
        property,
      };
      if (!job.transcodeFailed) att.mid = mid;
      return att;
    }
    case "document":
      return {
        ...common, type: "document", job: true, jtoken: st.jtoken(uid, job.jobid),
        property: { name: job.name, objectid: job.objectId, type: ".pdf", module: "insertdoc", jobid: job.jobid },
      };
    case "read": {
      // Real read cards carry no `job` key, or `job: false`; they are task points all the same.
      const read: Record<string, unknown> = {
        ...common, type: "read", jtoken: st.jtoken(uid, job.jobid),
        property: { title: job.name, id: job.objectId, read: isPassed },
      };
      if (job.jobKey === "false") read.job = false;
      return read;
    }
    case "quiz":
      return {
        ...common, type: "workid", job: true,
        property: { title: job.name, workid: job.workId, worktype: "workA", schoolid: "" },
      };
    case "live": {
      // The captured mArg's live card (2026-12 item 3): no objectId; its ids and encs in `property` and beside it.
      const liveId = liveIdOf(job);
      return {
        jobid: job.jobid, isPassed, type: "live", job: true, isNotDrag: 1, aid: Number(job.workId),
        otherInfo: `nodeId_${ch.id}-cpi_${cpi}&courseId=${course.courseId}`,
        authEnc: hex32(`auth:${uid}:${job.jobid}`), liveDragEnc: hex32(`ldrag:${job.jobid}`), liveSetEnc: hex32(`lset:${job.jobid}`),
        liveSwDsEnc: hex32(`lswds:${job.jobid}`),
        property: {
          liveId, streamName: streamNameOf(job), vdoid: vdoidOf(job), title: job.name, liveStatus: job.notStarted ? "未开始" : "直播回看",
          module: "insertlive", live: true, _jobid: job.jobid, jobid: job.jobid,
        },
      };
    }
  }
}

/** A live card's ids as its page shows them. */
export const liveIdOf = (job: SimJob): string => String(Number.parseInt(job.objectId.slice(0, 7), 16));
export const streamNameOf = (job: SimJob): string => `LIVENEW${job.objectId.slice(0, 12).toUpperCase()}`;
export const vdoidOf = (job: SimJob): string => `vdoid${job.objectId.slice(12, 24)}`;

export const captchaPage = (origin: string): string =>
  page(
    "验证码",
    `<div class="verify"><p>【9010】操作异常，请输入验证码</p><img src="${origin}/processVerifyPng.ac" id="ccc"><form action="${origin}/html/processVerify.ac"><input name="ucode"><button>提交</button></form></div>`,
  );

/** The passport login page: what an expired session gets (a 302 to it, or, on some endpoints, this page as a 200). */
/** The passport's login page; loaded there (not as an expired session's 200), it carries its QR code's `uuid` and `enc`. */
export const loginPage = (passport: string, qr?: { uuid: string; enc: string }): string =>
  page(
    "用户登录",
    `<div class="lg-container"><form id="loginForm" method="post" action="${passport}/fanyalogin"><input id="phone"><input id="pwd" type="password"></form>` +
      (qr ? `<div class="ewm-box"><img id="quickCode" src="${passport}/createqr?uuid=${qr.uuid}&fid=-1"><input type="hidden" id="uuid" value="${qr.uuid}"><input type="hidden" id="enc" value="${qr.enc}"></div>` : "") +
      `<a href="${passport}/login?fid=&newversion=true">登录</a></div>`,
  );

/** A document or read reply that is not JSON: what the platform sometimes answers instead. */
export const notJsonPage = (): string => page("提示", `<div class="tips">系统繁忙，请稍后再试</div>`);

export const faceCheckPage = (): string => page("人脸识别", `<div class="face-box"><p>本课程需要进行人脸识别后才能学习</p></div>`);

/** A 1×1 PNG: enough for a captcha image endpoint whose answer tests read from the control API. */
export const CAPTCHA_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
