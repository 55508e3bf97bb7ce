import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { installSimulator, useFutureClock, videoCourse } from "../../test/helpers/sim";
import { decodeQrPng } from "../../test/helpers/qr-decode";
import { cookiesOf, send } from "./raw";

useFutureClock();

/**
 * The QR-code login of chaoxing-protocol.md (Corrections of 2026-12, item 13), spoken by hand: the login
 * page's `uuid`/`enc`, `createqr`'s PNG, and every reply of `getauthstatus` (and `/v2`), with the phone's
 * side played through the control API.
 */

const MOBILE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36";

type Sim = ReturnType<typeof installSimulator>;

async function loginPage(sim: Sim, ua?: string) {
  const res = await send(sim, "passport2", "/login?fid=&newversion=true", ua ? { headers: { "User-Agent": ua } } : {});
  expect(res.status).toBe(200);
  const html = await res.text();
  const input = (id: string) => new RegExp(`<input[^>]*\\bid="${id}"[^>]*\\bvalue="([^"]*)"`).exec(html)?.[1];
  return { uuid: input("uuid")!, enc: input("enc")!, html };
}

async function shown(sim: Sim, ua?: string) {
  const code = await loginPage(sim, ua);
  const qr = await send(sim, "passport2", `/createqr?uuid=${code.uuid}&fid=-1`);
  expect(qr.status).toBe(200);
  return { ...code, png: new Uint8Array(await qr.arrayBuffer()), contentType: qr.headers.get("Content-Type") };
}

async function poll(sim: Sim, code: { uuid: string; enc: string }, v2 = false) {
  const form = new URLSearchParams({ enc: code.enc, uuid: code.uuid, ...(v2 ? { doubleFactorLogin: "0", forbidotherlogin: "0" } : {}) });
  const res = await send(sim, "passport2", v2 ? "/getauthstatus/v2" : "/getauthstatus", {
    method: "POST", body: form.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  return { res, body: (await res.clone().json()) as Record<string, unknown> };
}

describe("QR-code login", () => {
  it("the login page carries input#uuid and input#enc, a new pair on every load", async () => {
    const sim = installSimulator();
    const a = await loginPage(sim);
    const b = await loginPage(sim);
    expect(a.uuid).toMatch(/^[0-9a-f-]{20,}$/);
    expect(a.enc).toMatch(/^[0-9a-f]{32}$/);
    expect(b.uuid).not.toBe(a.uuid);
    expect(b.enc).not.toBe(a.enc);
  });

  it("createqr answers a PNG whose code is the toauthlogin link; an unknown uuid is not found", async () => {
    const sim = installSimulator();
    const code = await shown(sim);
    expect(code.contentType).toBe("image/png");
    expect(await decodeQrPng(code.png)).toBe(
      `https://passport2.sim.test/toauthlogin?uuid=${code.uuid}&enc=${code.enc}&xxtrefer=&clientid=&type=0&mobiletip=`,
    );
    expect((await send(sim, "passport2", "/createqr?uuid=nope&fid=-1")).status).toBe(404);
  });

  it("not scanned: type 3 未登录, on both endpoints", async () => {
    const sim = installSimulator();
    const code = await shown(sim);
    expect((await poll(sim, code)).body).toEqual({ status: false, type: "3", mes: "未登录" });
    expect((await poll(sim, code, true)).body).toEqual({ status: false, type: "3", mes: "未登录" });
  });

  it("scanned: type 4 with the phone user's uid and nickname; confirmed: status true and the login cookies, which open the course list", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()], { name: "王小明" });
    const code = await shown(sim);
    expect(sim.control.qrScan(account.phone)).toBe(code.uuid);
    expect((await poll(sim, code, true)).body).toMatchObject({ status: false, type: "4", uid: account.uid, nickname: "王小明" });
    expect(sim.control.qrConfirm()).toBe(code.uuid);
    const done = await poll(sim, code, true);
    expect(done.body).toMatchObject({ status: true, mes: "验证通过" });
    const lines = done.res.headers.getSetCookie();
    for (const name of ["_uid", "UID", "vc3", "fid", "uf", "_d"]) expect(lines.find((l) => l.startsWith(`${name}=`))).toMatch(/Domain=\.sim\.test/i);
    const cookie = cookiesOf(done.res).split("; ").filter((p) => !/^(JSESSIONID|route)=/.test(p)).join("; ");
    const list = await send(sim, "mooc2-ans", "/mooc2-ans/visit/courselistdata", {
      cookie, method: "POST", body: "courseType=1&courseFolderId=0&query=&superstarClass=0",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Referer: "https://mooc2-ans.sim.test/mooc2-ans/visit/interaction", "X-Requested-With": "XMLHttpRequest" },
    });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(account.courses[0]!.name);
    // A used code logs nobody in again.
    expect((await poll(sim, code)).body).toMatchObject({ status: false, type: "2" });
  });

  it("the session's profile on sso (userLogin4Uname.do) names whose account the scan opened; without a session, the login page", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()], { name: "李小红" });
    const code = await shown(sim);
    sim.control.qrScan(account.phone);
    sim.control.qrConfirm();
    const done = await poll(sim, code, true);
    const cookie = cookiesOf(done.res).split("; ").filter((p) => !/^(JSESSIONID|route)=/.test(p)).join("; ");
    const me = await send(sim, "sso", "/apis/login/userLogin4Uname.do", { cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: 1, msg: { uid: Number(account.uid), name: "李小红", phone: account.phone } });
    const anonymous = await send(sim, "sso", "/apis/login/userLogin4Uname.do");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toContain("/login");
  });

  it("cancelled on the phone: type 6", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const code = await shown(sim);
    sim.control.qrScan(account.phone, code.uuid);
    sim.control.qrCancel(code.uuid);
    expect((await poll(sim, code)).body).toMatchObject({ status: false, type: "6" });
  });

  it("expired: type 2, by the control call or once the platform's time has passed since it was shown", async () => {
    const sim = installSimulator();
    const first = await shown(sim);
    sim.control.qrExpire(first.uuid);
    expect((await poll(sim, first)).body).toMatchObject({ status: false, type: "2" });
    sim.control.setPlatform({ qrTtlS: 60 });
    const second = await shown(sim);
    clock.advance(59_000);
    expect((await poll(sim, second)).body).toMatchObject({ type: "3" });
    clock.advance(2_000);
    expect((await poll(sim, second)).body).toMatchObject({ status: false, type: "2" });
    expect(() => sim.control.qrScan(sim.newAccount([videoCourse()]).phone, second.uuid)).toThrow(/expired/);
  });

  it("verification error, type 1: an enc that is not the code's, or a code made with a mobile User-Agent", async () => {
    const sim = installSimulator();
    const code = await shown(sim);
    expect((await poll(sim, { uuid: code.uuid, enc: "0".repeat(32) })).body).toMatchObject({ status: false, type: "1" });
    expect((await poll(sim, { uuid: "unknown", enc: code.enc })).body).toMatchObject({ status: false, type: "1" });
    const mobile = await shown(sim, MOBILE_UA);
    expect(mobile.uuid).toBeTruthy();
    expect((await poll(sim, mobile)).body).toMatchObject({ status: false, type: "1" });
  });

  it("only a code that was shown can be scanned, and only a scanned one confirmed; over HTTP a refusal is a 400", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const hidden = await loginPage(sim);
    expect(() => sim.control.qrScan(account.phone, hidden.uuid)).toThrow(/never shown/);
    expect(() => sim.control.qrConfirm(hidden.uuid)).toThrow(/not scanned/);
    const admin = (body: unknown) => sim.app.fetch(new Request("https://sim.test/__sim/actions", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }));
    expect((await admin({ action: "qrScan", phone: account.phone })).status).toBe(400);
    const code = await shown(sim);
    const scanned = await admin({ action: "qrScan", phone: account.phone });
    expect(await scanned.json()).toEqual({ ok: true, uuid: code.uuid });
    expect((await admin({ action: "qrConfirm" })).status).toBe(200);
    expect((await poll(sim, code)).body).toMatchObject({ status: true });
    expect(sim.control.snapshot().qr.find((q) => q.uuid === code.uuid)).toMatchObject({ state: "used", shown: true, phone: account.phone });
  });
});
