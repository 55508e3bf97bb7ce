import { encryptLoginField } from "../../src/chaoxing/crypto";
import { extractMArg } from "../../src/chaoxing/marg";
import { clock } from "../../src/lib/clock";
import { md5Hex } from "../../src/lib/encoding";
import type { SimAccountInfo } from "../../src/simulator/control";
import { hostOrigin, type InstalledSimulator } from "../helpers/sim";

/**
 * The protocol spoken by hand, for the simulator's own tests: requests built from the protocol notes
 * without our client (its jar, signing or parsing of replies), so these tests hold whatever the client does.
 */

export const CHROME = {
  "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
};
export const VIDEO_REFERER = "https://mooc1.chaoxing.com/ananas/modules/video/index.html?v=2025-0725-1842";

/** `name=value` of each Set-Cookie, as a Cookie header. */
export const cookiesOf = (res: Response): string =>
  res.headers.getSetCookie().map((l) => l.split(";")[0]!).join("; ");

export const setCookieNamed = (res: Response, name: string): string | undefined =>
  res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));

/** Sends `path` to one host (or the local origin when `host` is undefined). */
export function send(
  sim: InstalledSimulator,
  host: string | undefined,
  path: string,
  init: { cookie?: string; headers?: Record<string, string>; method?: string; body?: string } = {},
): Promise<Response> {
  const headers = new Headers({ ...CHROME, ...init.headers });
  if (init.cookie) headers.set("Cookie", init.cookie);
  const origin = host ? hostOrigin(host) : "https://sim.test";
  return Promise.resolve(sim.app.fetch(new Request(`${origin}${path}`, { method: init.method, headers, body: init.body })));
}

/** The login form as the notes give it; `t` as the caller spells it. Returns the login reply. */
export async function rawLogin(sim: InstalledSimulator, a: Pick<SimAccountInfo, "phone" | "password">, o: { host?: string; t?: string } = {}) {
  const body = new URLSearchParams({
    fid: "-1", uname: await encryptLoginField(a.phone), password: await encryptLoginField(a.password),
    refer: "https%3A%2F%2Fi.chaoxing.com", t: o.t ?? "true", forbidotherlogin: "0", validate: "", doubleFactorLogin: "0", independentId: "0",
  });
  return send(sim, o.host, "/fanyalogin", { method: "POST", body: body.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } });
}

/** The login cookies (vc3, _uid, …) of a fresh session, without the passport's own JSESSIONID/route. */
export async function loginCookies(sim: InstalledSimulator, a: Pick<SimAccountInfo, "phone" | "password">, host = "passport2"): Promise<string> {
  const res = await rawLogin(sim, a, { host });
  return res.headers.getSetCookie().map((l) => l.split(";")[0]!).filter((p) => !/^(JSESSIONID|route)=/.test(p)).join("; ");
}

export interface RawAttachment {
  type: string;
  jobid: string;
  objectId?: string;
  otherInfo: string;
  job?: unknown;
  attDuration?: number;
  attDurationEnc?: string;
  videoFaceCaptureEnc?: string;
  begins?: number;
  ends?: number;
  isPassed?: boolean;
  /** media: the recorded position, ms */
  playTime?: number;
  jtoken?: string;
  property: Record<string, unknown>;
}

/** The cards page of one tab: its status, raw body and `mArg`. */
export async function rawCards(sim: InstalledSimulator, cookie: string, course: SimAccountInfo["courses"][number], chapterId: string, num = 0) {
  const q = new URLSearchParams({ clazzid: course.clazzId, courseid: course.courseId, knowledgeid: chapterId, num: String(num), ut: "s", cpi: course.cpi, v: "2026-0101-0000-4", mooc2: "1" });
  const res = await send(sim, "mooc1", `/mooc-ans/knowledge/cards?${q}`, { cookie });
  const text = await res.text();
  const marg = extractMArg(text) as { defaults: Record<string, unknown>; attachments: RawAttachment[] } | null;
  return { res, text, marg };
}

/** The report checksum, written out here a third time (neither the client's nor the simulator's code). */
export const encOf = (p: { clazzId: string; userid: string; jobid: string; objectId: string; playingTime: number; duration: number; clipTime: string }) =>
  md5Hex(`[${p.clazzId}][${p.userid}][${p.jobid}][${p.objectId}][${p.playingTime * 1000}][d_yHJ!$pdA~5][${p.duration * 1000}][${p.clipTime}]`);

export interface ReportOverrides {
  enc?: string;
  rt?: string;
  dtoken?: string;
  headers?: Record<string, string>;
  otherInfo?: string;
  dtype?: string;
  clipTime?: string;
  /** field → value, or null to leave the field out */
  fields?: Partial<Record<"attDuration" | "attDurationEnc" | "videoFaceCaptureEnc", string | null>>;
  host?: string;
  path?: string;
}

/**
 * A logged-in account with one media job in course `courseIndex`, and a report sender in the player's
 * field order whose every part can be overridden.
 */
export async function reportRig(sim: InstalledSimulator, account: SimAccountInfo, courseIndex = 0, jobIndex = 0) {
  const cookie = await loginCookies(sim, account);
  const course = account.courses[courseIndex]!;
  const chapter = course.chapters.find((ch) => ch.jobs.includes(course.chapters.flatMap((c) => c.jobs)[jobIndex]!))!;
  const spec = course.chapters.flatMap((c) => c.jobs)[jobIndex]!;
  const { marg } = await rawCards(sim, cookie, course, chapter.id, chapter.tabs.findIndex((t) => t.includes(spec)));
  const att = marg!.attachments.find((a) => a.jobid === spec.jobid)!;
  const status = (await (await send(sim, "mooc1", `/ananas/status/${att.objectId}?k=1024&flag=normal&ro=0`, { cookie })).json()) as { dtoken: string; duration: number };
  const duration = status.duration;
  const otherInfo = att.otherInfo.split("&")[0]!;
  const rt = /-rt_d/.test(otherInfo) ? "0.9" : /-rt_1/.test(otherInfo) ? "1" : String(att.property.rt ?? "0.9");
  const report = async (playingTime: number, o: ReportOverrides = {}, isdrag = 0) => {
    // `begins: 0, ends: 0` is no clip (2026-12 item 3)
    const clipTime = o.clipTime ?? (att.begins || att.ends ? `${att.begins}_${att.ends}` : `0_${duration}`);
    const enc = o.enc ?? (await encOf({ clazzId: course.clazzId, userid: account.uid, jobid: att.jobid, objectId: att.objectId!, playingTime, duration, clipTime }));
    const fields = { attDuration: String(att.attDuration), attDurationEnc: att.attDurationEnc!, videoFaceCaptureEnc: att.videoFaceCaptureEnc!, ...o.fields };
    const part = (k: keyof typeof fields) => (fields[k] === null ? "" : `&${k}=${fields[k]}`);
    const q =
      `clazzId=${course.clazzId}&playingTime=${playingTime}&duration=${duration}&clipTime=${clipTime}&objectId=${att.objectId}` +
      `&otherInfo=${o.otherInfo ?? otherInfo}&courseId=${course.courseId}&jobid=${att.jobid}&userid=${account.uid}` +
      `&isdrag=${isdrag}&view=pc&enc=${enc}&rt=${o.rt ?? rt}${part("videoFaceCaptureEnc")}&dtype=${o.dtype ?? (spec.type === "audio" ? "Audio" : "Video")}` +
      `&_t=${clock.now()}${part("attDuration")}${part("attDurationEnc")}`;
    const base = o.path ?? `/mooc-ans/multimedia/log/a/${course.cpi}`;
    return send(sim, o.host ?? "mooc1", `${base}/${o.dtoken ?? status.dtoken}?${q}`, {
      cookie,
      headers: o.headers ?? { Referer: spec.type === "audio" ? "https://mooc1.chaoxing.com/ananas/modules/audio/index_new.html?v=1" : VIDEO_REFERER },
    });
  };
  return { cookie, course, chapter, att, spec, duration, marg: marg!, report };
}

export const passedOf = async (res: Response): Promise<boolean> => {
  if (res.status !== 200) throw new Error(`report answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { isPassed: boolean }).isPassed;
};
