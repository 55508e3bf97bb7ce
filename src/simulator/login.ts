import type { Context, Hono } from "hono";
import { setCookie } from "hono/cookie";
import { decryptLoginField } from "../chaoxing/crypto";
import { clock } from "../lib/clock";
import { originOf } from "./hosts";
import { hex32 } from "./model";
import { loginPage } from "./pages";
import type { SimEnv } from "./platform";
import { qrPng } from "./qr-image";
import type { SimAccount, SimState } from "./state";

type C = Context<SimEnv>;

/** Form and query booleans are case-insensitive (`t=True` from Python clients logs in). */
const isTrue = (v: unknown): boolean => typeof v === "string" && v.toLowerCase() === "true";

/** A phone's browser: the notes warn that the QR login fails verification with one. */
const isMobile = (ua: string): boolean => /Mobile|Android|iPhone|iPad/i.test(ua);

/**
 * The login cookies of a new session. They are the parent domain's (`.chaoxing.com`); behind one local
 * origin they stay host-only.
 */
function setLoginCookies(c: C, st: SimState, account: SimAccount): void {
  c.set("account", account);
  const parent = c.get("host").parent;
  const cookies: Record<string, string> = {
    fid: account.fid,
    _uid: account.uid,
    UID: account.uid,
    uf: hex32(`uf:${account.uid}`),
    _d: String(clock.now()),
    vc3: st.openSession(account),
    xxtenc: hex32(`xxt:${account.uid}`),
  };
  for (const [k, v] of Object.entries(cookies)) setCookie(c, k, v, { path: "/", ...(parent ? { domain: `.${parent}` } : {}) });
}

/** passport2: the login page (with its QR code's `uuid`/`enc`), the password login and the QR login. */
export function passportRoutes(app: Hono<SimEnv>, st: SimState): void {
  const passport = (c: C): string => originOf(c.get("host"), "passport2");

  app.get("/login", (c) => {
    const qr = st.qr.create(isMobile(c.req.header("User-Agent") ?? ""), st.platform.qrTtlS);
    return c.html(loginPage(passport(c), qr));
  });

  app.post("/fanyalogin", async (c) => {
    const form = await c.req.parseBody();
    const fail = () => c.json({ status: false, msg2: "用户名或密码错误", mes: "用户名或密码错误" });
    if (!isTrue(form.t) || typeof form.uname !== "string" || typeof form.password !== "string") return fail();
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
    setLoginCookies(c, st, account);
    return c.json({ url: "https%3A%2F%2Fi.chaoxing.com", status: true });
  });

  // Shows (and so activates) the code: its image holds the link the 学习通 app opens.
  app.get("/createqr", async (c) => {
    const q = st.qr.get(c.req.query("uuid") ?? "");
    if (!q) return c.text("二维码不存在", 404);
    q.activatedAt ??= clock.now();
    const link = `${passport(c)}/toauthlogin?uuid=${q.uuid}&enc=${q.enc}&xxtrefer=&clientid=&type=0&mobiletip=`;
    return c.body((await qrPng(link)) as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "image/png", "Cache-Control": "no-store" });
  });

  // The replies of item 13; the wording of types 1, 2, 4 and 6 is [inferred] (clients read only `type`).
  const authStatus = async (c: C) => {
    const form = await c.req.parseBody();
    const r = st.qr.poll(String(form.uuid ?? ""), String(form.enc ?? ""), st.platform.qrTtlS);
    switch (r.kind) {
      case "waiting":
        return c.json({ status: false, type: "3", mes: "未登录" });
      case "scanned": {
        const a = st.accountByUid(r.uid);
        return c.json({ status: false, type: "4", mes: "已扫描", uid: r.uid, nickname: a?.name ?? "" });
      }
      case "confirmed": {
        const a = st.accountByUid(r.uid);
        if (!a) return c.json({ status: false, type: "1", mes: "验证失败" });
        setLoginCookies(c, st, a);
        return c.json({ status: true, mes: "验证通过" });
      }
      case "cancelled":
        return c.json({ status: false, type: "6", mes: "用户手机端取消登录" });
      case "expired":
        return c.json({ status: false, type: "2", mes: "二维码已失效" });
      case "refused":
        return c.json({ status: false, type: "1", mes: "验证失败" });
    }
  };
  app.post("/getauthstatus", authStatus);
  app.post("/getauthstatus/v2", authStatus);
}
