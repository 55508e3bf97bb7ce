import { describe, expect, it } from "vitest";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { CookieJar } from "../../src/chaoxing/cookies";
import { ChaoxingError } from "../../src/chaoxing/errors";
import { decodeQrPng } from "../helpers/qr-decode";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/** The client's side of the QR-code login (protocol corrections 2026-12, item 13) against the simulator. */

describe("QR-code login, the client's side", () => {
  it("starts from the login page with a desktop browser, and the image it returns is the code the app scans", async () => {
    const sim = installSimulator();
    const client = sim.client();
    const code = await client.qrStart();
    expect(code.contentType).toBe("image/png");
    expect(await decodeQrPng(code.image)).toContain(`/toauthlogin?uuid=${code.uuid}&enc=${code.enc}`);
    const sent = sim.control.requests().filter((r) => r.host === "passport2");
    expect(sent.map((r) => r.path)).toEqual(["/login", "/createqr"]);
    for (const r of sent) expect(r.ua).toMatch(/^Mozilla\/5\.0 \((Windows NT|Macintosh).*Chrome\/\d+/);
    expect(sent[1]!.query).toBe(`uuid=${code.uuid}&fid=-1`);
    expect(sim.control.snapshot().qr).toEqual([expect.objectContaining({ uuid: code.uuid, shown: true, state: "waiting" })]);
  });

  it("one poll is one request: waiting, then scanned with the nickname, then logged in with a working session", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()], { name: "李华" });
    const client = sim.client();
    const code = await client.qrStart();
    const before = sim.control.requestCount();
    expect(await client.qrPoll(code)).toEqual({ state: "waiting" });
    expect(sim.control.requestCount()).toBe(before + 1);
    sim.control.qrScan(account.phone);
    expect(await client.qrPoll(code)).toEqual({ state: "scanned", uid: account.uid, nickname: "李华" });
    sim.control.qrConfirm();
    expect(await client.qrPoll(code)).toEqual({ state: "logged_in" });
    expect(sim.control.requestCount()).toBe(before + 3);
    expect(client.userId).toBe(account.uid);
    expect(await client.checkSession()).toBe(true);
    expect((await client.listCourses()).map((c) => c.courseName)).toEqual([account.courses[0]!.name]);
  });

  it("polls from a jar stored between requests (each poll may be another request to the worker)", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const first = sim.client();
    const code = await first.qrStart();
    const stored = JSON.parse(JSON.stringify(first.jar.toJSON()));
    sim.control.qrScan(account.phone);
    sim.control.qrConfirm();
    const later = new ChaoxingClient({ urls: sim.urls, jar: CookieJar.fromJSON(stored) });
    expect(later.userAgent).toBe(first.userAgent);
    expect(await later.qrPoll(code)).toEqual({ state: "logged_in" });
    expect(await later.checkSession()).toBe(true);
  });

  it("tells expired, cancelled and refused codes apart", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const client = sim.client();
    const expired = await client.qrStart();
    sim.control.qrExpire(expired.uuid);
    expect(await client.qrPoll(expired)).toEqual({ state: "expired" });
    const cancelled = await client.qrStart();
    sim.control.qrScan(account.phone, cancelled.uuid);
    sim.control.qrCancel(cancelled.uuid);
    expect(await client.qrPoll(cancelled)).toEqual({ state: "cancelled" });
    const refused = await client.qrPoll({ uuid: cancelled.uuid, enc: "f".repeat(32) });
    expect(refused).toMatchObject({ state: "refused" });
  });

  it("a fresh start drops the cookies of an older session", async () => {
    const sim = installSimulator();
    const { client } = await sim.loggedIn([videoCourse()]);
    expect(client.userId).toBeTruthy();
    await client.qrStart();
    expect(client.userId).toBeUndefined();
    expect(client.jar.get("vc3")).toBeUndefined();
  });

  it("a login page without the code is a bad response, not a crash", async () => {
    const sim = installSimulator();
    const client = new ChaoxingClient({
      urls: sim.urls,
      transport: { fetch: async () => new Response("<html><body>维护中</body></html>", { status: 200, headers: { "Content-Type": "text/html" } }) },
    });
    const err = await client.qrStart().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChaoxingError);
    expect((err as ChaoxingError).kind).toBe("bad_response");
  });
});
