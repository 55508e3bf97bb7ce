import { describe, expect, it } from "vitest";
import { parseIsPassed } from "../../src/chaoxing/client";
import { CookieJar } from "../../src/chaoxing/cookies";
import { decryptLoginField, encryptLoginField, reportEnc } from "../../shared/chaoxing-crypto";
import { ChaoxingError } from "../../src/chaoxing/errors";
import { decodeEntities, parseChapters, parseCourseList, parseFolders } from "../../src/chaoxing/html";
import { extractMArg, parseAttachments, parseDefaults } from "../../src/chaoxing/marg";
import { courseProgress } from "../../src/chaoxing/progress";
import { classifyResponse, isLoginPage } from "../../src/chaoxing/signals";
import type { MediaJob } from "../../src/chaoxing/types";
import { clock } from "../../shared/clock";

describe("crypto", () => {
  it("encrypts login fields exactly like passport2's AES-CBC (vectors from Node's crypto)", async () => {
    expect(await encryptLoginField("13800138000")).toBe("yYcVatS+4J+JGnm88UM56A==");
    expect(await encryptLoginField("your_password")).toBe("fqmQ5F/fR/V4NvCtn8Kgjg==");
    expect(await decryptLoginField("fqmQ5F/fR/V4NvCtn8Kgjg==")).toBe("your_password");
  });

  it("computes the report enc as the MD5 of the bracketed template", async () => {
    const enc = await reportEnc({ clazzId: "94000001", userid: "221000001", jobid: "1609300000007919", objectId: "abc", playingTime: 30, duration: 60, clipTime: "0_60" });
    expect(enc).toBe("3402ddc4ebe4d907bb6b2abff6a6cddc");
    // A clip signs its own range (vector from Node's crypto: md5 of the same template with [10_50]).
    const clipped = await reportEnc({ clazzId: "94000001", userid: "221000001", jobid: "1609300000007919", objectId: "abc", playingTime: 30, duration: 60, clipTime: "10_50" });
    expect(clipped).toBe("132c77e955a3f0bd83d43f54c71f87bc");
  });
});

describe("cookie jar (RFC 6265: per domain and path, expiry, host-only)", () => {
  const P = "https://passport2.chaoxing.com/fanyalogin";
  const M1 = "https://mooc1.chaoxing.com/mooc-ans/knowledge/cards";
  const M2 = "https://mooc2-ans.chaoxing.com/mooc2-ans/visit/interaction";

  it("sends domain cookies to every host of the domain, host-only ones to their host alone", () => {
    const jar = new CookieJar();
    jar.store(new Response("", { headers: [
      ["Set-Cookie", "_uid=42; Path=/; Domain=.chaoxing.com"],
      ["Set-Cookie", "JSESSIONID=P; Path=/; HttpOnly"],
    ] }), P);
    jar.storeLine("JSESSIONID=M1; Path=/", M1);
    jar.storeLine("JSESSIONID=M2; Path=/", M2);
    expect(jar.header(M1)).toBe("_uid=42; JSESSIONID=M1");
    expect(jar.header(M2)).toBe("_uid=42; JSESSIONID=M2");
    expect(jar.header(P)).toBe("_uid=42; JSESSIONID=P");
    expect(jar.header("https://other.example/")).toBe("");
    // A host may not set a cookie for a domain it is not in, nor for a bare top-level name.
    jar.storeLine("evil=1; Domain=example.com", M1);
    jar.storeLine("tld=1; Domain=com", M1);
    expect(jar.get("evil")).toBeUndefined();
    expect(jar.get("tld")).toBeUndefined();
  });

  it("matches paths, longer paths first; defaults the path to the request's directory; honours Secure", () => {
    const jar = new CookieJar();
    jar.storeLine("a=root; Path=/", M1);
    jar.storeLine("a=deep; Path=/mooc-ans", M1);
    jar.storeLine("dir=1", "https://mooc1.chaoxing.com/mooc-ans/knowledge/cards");
    jar.storeLine("s=1; Path=/; Secure", M1);
    expect(jar.header("https://mooc1.chaoxing.com/mooc-ans/knowledge/x")).toBe("dir=1; a=deep; a=root; s=1");
    expect(jar.header("https://mooc1.chaoxing.com/mooc-ansx")).toBe("a=root; s=1");
    expect(jar.header("http://mooc1.chaoxing.com/")).toBe("a=root");
  });

  it("expires on the shared clock (Max-Age over Expires), deletes on Max-Age=0, and round-trips JSON with its UA", () => {
    const jar = new CookieJar();
    jar.userAgent = "UA";
    jar.storeLine("_uid=42; Path=/; Domain=.chaoxing.com", P);
    jar.storeLine("fid=1024; Path=/; Domain=.chaoxing.com", P);
    jar.storeLine(`short=1; Max-Age=60; Expires=${new Date(clock.now() + 3600_000).toUTCString()}`, M1);
    expect(jar.get("short")).toBe("1");
    clock.advance(61_000);
    expect(jar.get("short")).toBeUndefined();
    jar.storeLine("fid=; Max-Age=0; Domain=.chaoxing.com; Path=/", P);
    expect(jar.get("fid")).toBeUndefined();
    const copy = CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)));
    expect(copy.header(M1)).toBe("_uid=42");
    expect(copy.userAgent).toBe("UA");
  });

  it("starts empty from a jar of the first format (names without domains cannot be placed)", () => {
    const old = CookieJar.fromJSON({ v: 1, cookies: [["_uid", "42", null]] } as unknown as { v: 1 });
    expect(old.get("_uid")).toBeUndefined();
  });
});

describe("course list and folders", () => {
  const course = (o: { id: string; clazz: string; cpi?: string; extra?: string; name?: string; teacher?: string }) => `
<div class="course clearfix" id="course_${o.id}_${o.clazz}" info="${o.id}" roleid="3">
  <div class="course-cover"><a href="https://mooc1.chaoxing.com/visit/stucoursemiddle?courseid=${o.id}&amp;clazzid=${o.clazz}${o.cpi ? `&amp;cpi=${o.cpi}` : ""}&amp;ismooc2=1"><img src="x.png"></a>${o.extra ?? ""}</div>
  <div class="course-info"><h3><a class="color1"><span class="course-name overHidden2" title="${o.name ?? "课程"}">${o.name ?? "课程"}</span></a></h3>
  <p class="line2 color3" title="${o.teacher ?? "老师"}">${o.teacher ?? "老师"}</p></div>
  <input type="hidden" class="clazzId" value="${o.clazz}"><input type="hidden" class="courseId" value="${o.id}">
</div>`;

  it("reads ids, cpi from the first link, name and teacher from title attributes, decoding entities", async () => {
    const html = `<div id="courseList">${course({ id: "1", clazz: "2", cpi: "3", name: "C&amp;C++ 程序设计", teacher: "王&quot;老&quot;师" })}
${course({ id: "4", clazz: "5", cpi: "6", extra: `<div class="course-status">已结束</div>` })}
${course({ id: "7", clazz: "8", cpi: "9", extra: `<p class="overHidden1">开课时间：2026-09-01 ~ 2027-01-15</p>` })}</div>`;
    const list = await parseCourseList(html, { id: "77", name: "文件夹" });
    expect(list).toEqual([
      {
        courseId: "1", clazzId: "2", cpi: "3", courseName: "C&C++ 程序设计", teacherName: '王"老"师', clazzName: "", state: 0, startDate: null, endDate: null,
        folderId: "77", folderName: "文件夹", info: "1", roleid: "3",
      },
      expect.objectContaining({ courseId: "4", state: 1, endDate: null }),
      // The class's period (开课时间), with either tilde.
      expect.objectContaining({ courseId: "7", state: 0, startDate: "2026-09-01", endDate: "2027-01-15" }),
    ]);
  });

  it("skips courses with .not-open-tip or without a cpi", async () => {
    const html = course({ id: "1", clazz: "2", cpi: "3", extra: `<a class="not-open-tip">课程未开放</a>` }) + course({ id: "4", clazz: "5" });
    expect(await parseCourseList(html)).toEqual([]);
  });

  it("reads folders from ul.file-list > li[fileid]", async () => {
    const html = `<ul class="file-list"><li fileid="11"><input class="rename-input" value="专业课"></li><li fileid="12"><input class="rename-input" value="选修 &amp; 通识"></li></ul>
<ul class="other"><li fileid="99"></li></ul>`;
    expect(await parseFolders(html)).toEqual([{ id: "11", name: "专业课" }, { id: "12", name: "选修 & 通识" }]);
  });
});

describe("chapter tree", () => {
  it("reads id, title, job count, finished and locked from the nested markup", async () => {
    const item = (id: string, title: string, inner: string) =>
      `<li><div class="chapter_item" id="cur${id}"><div class="catalog_name"><a class="clicktitle" href="javascript:void(0)">
        ${title}
      </a></div><div class="catalog_jindu">${inner}</div></div></li>`;
    const html = `<div class="chapter_unit"><div class="chapter_item" id="unitHead">第一章</div><ul>
${item("101", "1.1 绪论", `<input class="knowledgeJobCount" value="2"><span class="bntHoverTips">已完成</span>`)}
${item("102", "1.2 &lt;概念&gt;", `<input class="knowledgeJobCount" value="1"><span class="bntHoverTips">1个待完成任务点</span>`)}
${item("103", "1.3 进阶", `<span class="bntHoverTips">完成前面章节任务点后解锁</span>`)}
</ul></div><div class="elsewhere"><ul><li><div id="cur999"><a class="clicktitle">外部</a></div></li></ul></div>`;
    expect(await parseChapters(`<input type="hidden" id="enc" value="abc123">${html}`)).toEqual({
      enc: "abc123",
      chapters: [
        { id: "101", title: "1.1 绪论", jobCount: 2, finished: true, locked: false },
        { id: "102", title: "1.2 <概念>", jobCount: 1, finished: false, locked: false },
        { id: "103", title: "1.3 进阶", jobCount: 0, finished: false, locked: true },
      ],
    });
    expect((await parseChapters(html)).enc).toBeNull();
  });

  it("decodes numeric entities", () => {
    expect(decodeEntities("&#20013;&#x6587;&amp;&unknown;")).toBe("中文&&unknown;");
  });
});

describe("mArg", () => {
  it("takes the last assignment, the object one, even with `};` inside a string", () => {
    const page = `<script>var mArg = "";\nmArg = "jumpTabs";</script><script>try{ mArg = {"attachments":[{"type":"document","job":true,"jobid":"9","jtoken":"t","otherInfo":"nodeId_1};-x&courseId=5","property":{"name":"a};b.pdf","objectid":"o"}}],"defaults":{"reportTimeInterval":60,"cpi":123,"userid":"42","isFaceCheck":0}}; }catch(e){}</script>`;
    const marg = extractMArg(page);
    expect(marg).not.toBeNull();
    if (!marg) return;
    expect(parseDefaults(marg)).toMatchObject({ cpi: "123", userid: "42", capture: [], reportTimeInterval: 60, reportUrl: null, schoolDoubleSpeed: null });
    expect(parseAttachments(marg)).toEqual([
      { type: "document", jobid: "9", jtoken: "t", name: "a};b.pdf", objectId: "o", isPassed: false, required: true, otherInfo: "nodeId_1};-x" },
    ]);
  });

  it("returns null when mArg is never an object", () => {
    expect(extractMArg(`<script>var mArg = "";</script>`)).toBeNull();
  });

  it("types live cards as live, honours job:false except on reads (a read is a task point with or without `job`)", () => {
    const jobs = parseAttachments({ attachments: [
      { type: "live", job: true, jobid: "1", property: { liveId: 5, title: "直播" } },
      { type: "video", job: false, jobid: "2", objectId: "o", mid: "m", property: { module: "insertvideo" } },
      { type: "read", jobid: "3", property: { title: "r" } },
      { type: "read", job: false, jobid: "4", property: { title: "r" } },
    ] });
    expect(jobs.map((j) => [j.type, j.required])).toEqual([["live", true], ["video", false], ["read", true], ["read", true]]);
  });

  it("reads the 2026 fields: every capture flag at 1, reportUrl, the speed switches, the report fields and the clip", () => {
    const defaults = { chapterCapture: 0, playingCapture: 0, schooldoublespeed: 2, reportUrl: "https://mooc1-1.chaoxing.com/mooc-ans/multimedia/log/a/9" };
    expect(parseDefaults({ defaults })).toMatchObject({ capture: [], schoolDoubleSpeed: 2, reportUrl: defaults.reportUrl });
    expect(parseDefaults({ defaults: { ...defaults, playingCapture: "1" } })?.capture).toEqual(["playingCapture"]);
    expect(parseDefaults({ defaults: { ...defaults, chapterCapture: 1 } })?.capture).toEqual(["chapterCapture"]);
    expect(parseDefaults({ defaults: { ...defaults, isFaceCheck: 1 } })?.capture).toEqual([]);
    const att = { type: "video", job: true, jobid: "2", objectId: "o", mid: "m", otherInfo: "nodeId_1-rt_d-x&courseId=5", attDuration: "40", attDurationEnc: "ae", videoFaceCaptureEnc: "ve", begins: 10, ends: 50, property: { module: "insertvideo", doublespeed: 1 } };
    const [video] = parseAttachments({ defaults, attachments: [att] }) as MediaJob[];
    expect(video).toMatchObject({ rt: null, attDuration: "40", attDurationEnc: "ae", videoFaceCaptureEnc: "ve", clip: [10, 50], fastPlayback: true, reportUrl: defaults.reportUrl });
    expect((parseAttachments({ defaults, attachments: [{ ...att, property: { doublespeed: 0 } }] })[0] as MediaJob).fastPlayback).toBe(false);
    expect((parseAttachments({ defaults: { ...defaults, schooldoublespeed: 0 }, attachments: [att] })[0] as MediaJob).fastPlayback).toBe(false);
    expect((parseAttachments({ attachments: [{ ...att, begins: undefined }] })[0] as MediaJob).clip).toBeNull();
  });
});

describe("failure signals", () => {
  const redirect = (loc: string, status = 302) => new Response(null, { status, headers: { Location: loc } });
  const kind = async (res: Response) => (await classifyResponse(res, "https://passport2.chaoxing.com", "https://mooc1.chaoxing.com/x"))?.kind ?? null;

  it("maps each signal of the protocol notes", async () => {
    expect(await kind(new Response("ok"))).toBeNull();
    expect(await kind(redirect("https://passport2.chaoxing.com/login?refer=x"))).toBe("session_expired");
    expect(await kind(redirect("/login?fid=&refer=x"))).toBe("session_expired");
    expect(await kind(new Response("", { status: 202 }))).toBe("risk_control");
    expect(await kind(redirect("https://mooc1.chaoxing.com/antispiderShowVerify.ac?app=1&ucode=x"))).toBe("captcha");
    expect(await kind(redirect("https://mooc1.chaoxing.com/mooc-ans/knowledge/startface?courseId=1"))).toBe("face_check");
    expect(await kind(redirect("https://elsewhere.example/"))).toBe("bad_response");
    expect(await kind(new Response("403 Forbidden", { status: 403 }))).toBe("forbidden");
    expect(await kind(new Response("", { status: 429 }))).toBe("rate_limited");
    expect(await kind(new Response("", { status: 500 }))).toBe("transient");
    expect(await kind(new Response("", { status: 404 }))).toBe("bad_response");
  });

  it("names the host that raised a captcha, a relative redirect being the requesting host", async () => {
    const at = async (loc: string) => (await classifyResponse(redirect(loc), "https://passport2.chaoxing.com", "https://mooc2-ans.chaoxing.com/mooc2-ans/x"))?.origin;
    expect(await at("https://mooc1-1.chaoxing.com/antispiderShowVerify.ac?app=1")).toBe("https://mooc1-1.chaoxing.com");
    expect(await at("/antispiderShowVerify.ac?app=1")).toBe("https://mooc2-ans.chaoxing.com");
  });

  it("recognises a 200 login page: the form, or a link to the passport's login", () => {
    expect(isLoginPage(`<form id="loginForm" method="post">`, "https://p.test")).toBe(true);
    expect(isLoginPage(`<a href="https://passport2.chaoxing.com/login?fid=">登录</a>`, "https://p.test")).toBe(true);
    expect(isLoginPage(`<a href="http://localhost:8001/login?x">`, "http://localhost:8001")).toBe(true);
    expect(isLoginPage(`<a href="https://passport2.chaoxing.com/logout">退出</a><div class="course">`, "https://p.test")).toBe(false);
  });

  it("reads the study cap's restTime and 429's Retry-After", async () => {
    const cap = await classifyResponse(new Response('{"code":20,"msg":"超过限制 [restTime:1200]"}', { status: 403 }), "", "https://m/x");
    expect(cap).toMatchObject({ kind: "study_cap", retryAfterMs: 1_200_000 });
    const limited = await classifyResponse(new Response("", { status: 429, headers: { "Retry-After": "7" } }), "", "https://m/x");
    expect(limited?.retryAfterMs).toBe(7000);
  });

  it("parses JSON and JS-literal report replies, and rejects anything else", () => {
    expect(parseIsPassed('{"isPassed":true,"videoTimeLimit":false}')).toBe(true);
    expect(parseIsPassed("{isPassed:false,hasJobLimit:false}")).toBe(false);
    expect(parseIsPassed("{ isPassed : 1 }")).toBe(true);
    expect(() => parseIsPassed("<html>验证码</html>")).toThrow(ChaoxingError);
  });
});

describe("course progress", () => {
  const c = (total: number, finish: number) => ({ totalcount: total, finishcount: finish, unfinishcount: total - finish, openlock: 0, clickcount: 0 });
  it("is the floored share of finished task points", () => {
    expect(courseProgress([c(3, 1), c(3, 1)])).toBe(33);
    expect(courseProgress([c(200, 199)])).toBe(99);
    expect(courseProgress([c(2, 2), c(1, 1)])).toBe(100);
    expect(courseProgress([])).toBe(100);
  });

  it("is unknown (null), never 100, when Chaoxing refuses the counts with all zeros", () => {
    expect(courseProgress([c(0, 0), c(0, 0)])).toBeNull();
    expect(courseProgress([c(0, 0), { ...c(0, 0), clickcount: 1 }])).toBe(100);
  });
});
