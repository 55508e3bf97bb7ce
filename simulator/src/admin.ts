import { Hono } from "hono";
import { z } from "zod";
import type { SimControl } from "./control";
import type { HostName } from "./hosts";
import { DEMO_ROLLBACK } from "./seed";

/** `/__sim/*`: the control API over HTTP, for dev and end-to-end runs against a standalone simulator. */

const counted = { path: z.string().max(200).optional(), times: z.number().int().min(0).optional() };
const faultsSchema = z.strictObject({
  serverError: z.strictObject({ ...counted, status: z.number().int().min(500).max(599).optional() }).nullable().optional(),
  timeout: z.strictObject({ ...counted, holdMs: z.number().int().min(0).max(600_000).optional() }).nullable().optional(),
  rateLimit: z.strictObject({ ...counted, retryAfterS: z.number().int().min(0).max(86_400).optional() }).nullable().optional(),
  studyCap: z.strictObject({ restTimeS: z.number().int().min(1).max(86_400) }).nullable().optional(),
  jsLiteralReports: z.boolean().nullable().optional(),
  loginPage200: z.boolean().nullable().optional(),
  jobCountsRefused: z.boolean().nullable().optional(),
  nonJsonJobs: z.strictObject(counted).nullable().optional(),
});
const platformSchema = z.strictObject({
  sessionTtlS: z.number().int().min(1).max(365 * 86_400).optional(),
  realTimeCompletion: z.boolean().optional(),
  captchaReportsPerMinute: z.number().int().min(0).max(1000).optional(),
  captchaForm: z.enum(["redirect", "body200", "body403"]).optional(),
  folderListNeedsReferer: z.boolean().optional(),
  qrTtlS: z.number().int().min(1).max(86_400).optional(),
});

const phone = z.string().regex(/^\d{5,15}$/);
const common = { name: z.string().max(200), afterPrevious: z.boolean().optional() };
const jobSpec = z.discriminatedUnion("type", [
  z.strictObject({
    ...common,
    type: z.enum(["video", "audio"]),
    duration: z.number().int().min(1).max(86_400),
    rt: z.enum(["0.9", "1"]).optional(),
    rtIn: z.enum(["property", "otherInfo", "none"]).optional(),
    transcodeFailed: z.boolean().optional(),
    transcoding: z.boolean().optional(),
    doublespeed: z.union([z.literal(0), z.literal(1)]).optional(),
    clip: z.tuple([z.number().int().min(0), z.number().int().min(1)]).optional(),
    randomCaptureTime: z.number().int().min(0).max(86_400).optional(),
  }),
  z.strictObject({ ...common, type: z.literal("live"), duration: z.number().int().min(1).max(86_400), notStarted: z.boolean().optional() }),
  z.strictObject({ ...common, type: z.enum(["document", "read"]), notJson: z.boolean().optional(), jobKey: z.enum(["absent", "false"]).optional() }),
  z.strictObject({ ...common, type: z.literal("quiz") }),
]);
const faceCheck = z.enum(["flag", "page", "redirect", "chapterOnly", "capture", "mask"]);
const period = z.strictObject({ from: z.number().int().min(-3650).max(3650), to: z.number().int().min(-3650).max(3650) });
const courseSpec = z.strictObject({
  name: z.string().max(200),
  teacher: z.string().max(100),
  state: z.union([z.literal(0), z.literal(1)]).optional(),
  period: period.optional(),
  classes: z.array(z.strictObject({ name: z.string().max(100), state: z.union([z.literal(0), z.literal(1)]).optional(), period: period.optional() })).min(1).max(5).optional(),
  folder: z.string().max(100).optional(),
  notOpen: z.boolean().optional(),
  sequential: z.boolean().optional(),
  faceCheck: faceCheck.optional(),
  schooldoublespeed: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  reportHost: z.string().regex(/^mooc1(-\d+)?$/).optional(),
  strictRealTime: z.boolean().optional(),
  chapters: z
    .array(
      z.strictObject({
        title: z.string().max(200),
        unit: z.string().max(200).optional(),
        tabs: z.array(z.array(jobSpec).max(20)).max(20).optional(),
        notOpen: z.boolean().optional(),
      }),
    )
    .max(500),
});
const accountSchema = z.strictObject({
  phone: phone.optional(),
  password: z.string().min(1).max(100).optional(),
  name: z.string().max(50).optional(),
  fid: z.string().max(20).optional(),
  courses: z.array(courseSpec).max(50).optional(),
  rollback: z.strictObject({ dailyMediaS: z.number().int().min(0).max(86_400) }).nullable().optional(),
});
const actionSchema = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("expireSessions"), phone: phone.optional() }),
  z.strictObject({ action: z.literal("requireCaptcha"), phone: phone.optional(), host: z.string().regex(/^(mooc2-ans|mooc1-api|mooc1(-\d+)?|local)$/).optional() }),
  z.strictObject({ action: z.literal("riskControl"), phone, on: z.boolean() }),
  z.strictObject({ action: z.literal("finishTranscoding"), phone, jobid: z.string().max(40) }),
  z.strictObject({ action: z.literal("rotateDtokens"), phone: phone.optional() }),
  z.strictObject({ action: z.literal("openChapter"), chapterId: z.string().max(20) }),
  z.strictObject({ action: z.literal("completeByHand"), phone, jobid: z.string().max(40) }),
  z.strictObject({ action: z.literal("strictRealTime"), phone, courseId: z.string().max(20), on: z.boolean() }),
  z.strictObject({ action: z.literal("rollback"), phone, on: z.boolean(), dailyMediaS: z.number().int().min(0).max(86_400).optional() }),
  z.strictObject({ action: z.literal("setFaceCheck"), phone, courseId: z.string().max(20), faceCheck: faceCheck.nullable() }),
  z.strictObject({ action: z.literal("qrScan"), phone, uuid: z.string().max(64).optional() }),
  z.strictObject({ action: z.enum(["qrConfirm", "qrCancel", "qrExpire"]), uuid: z.string().max(64).optional() }),
]);

export function adminRoutes(control: SimControl): Hono {
  const app = new Hono();

  app.onError((err, c) => c.json({ detail: err.message }, 400));

  app.get("/state", (c) => c.json(control.snapshot()));

  app.get("/requests", (c) => c.json(control.requests(c.req.query("phone"))));

  app.post("/reset", (c) => {
    control.reset();
    return c.json({ ok: true });
  });

  app.post("/faults", async (c) => {
    const parsed = faultsSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ detail: z.prettifyError(parsed.error) }, 400);
    control.setFaults(parsed.data);
    return c.json(control.snapshot().faults);
  });

  app.post("/platform", async (c) => {
    const parsed = platformSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ detail: z.prettifyError(parsed.error) }, 400);
    control.setPlatform(parsed.data);
    return c.json(control.snapshot().platform);
  });

  app.post("/accounts", async (c) => {
    const parsed = accountSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ detail: z.prettifyError(parsed.error) }, 400);
    return c.json(control.createAccount(parsed.data), 201);
  });

  app.post("/actions", async (c) => {
    const parsed = actionSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ detail: z.prettifyError(parsed.error) }, 400);
    const a = parsed.data;
    switch (a.action) {
      case "expireSessions":
        control.expireSessions(a.phone);
        return c.json({ ok: true });
      case "requireCaptcha":
        return c.json({ ok: true, answer: control.requireCaptcha(a.phone, a.host as HostName | undefined) });
      case "riskControl":
        control.riskControl(a.phone, a.on);
        return c.json({ ok: true });
      case "finishTranscoding":
        control.finishTranscoding(a.phone, a.jobid);
        return c.json({ ok: true });
      case "rotateDtokens":
        control.rotateDtokens(a.phone);
        return c.json({ ok: true });
      case "openChapter":
        control.openChapter(a.chapterId);
        return c.json({ ok: true });
      case "completeByHand":
        control.completeByHand(a.phone, a.jobid);
        return c.json({ ok: true });
      case "strictRealTime":
        control.strictRealTime(a.phone, a.courseId, a.on);
        return c.json({ ok: true });
      case "rollback":
        control.rollback(a.phone, a.on ? { dailyMediaS: a.dailyMediaS ?? DEMO_ROLLBACK.dailyMediaS } : null);
        return c.json({ ok: true });
      case "setFaceCheck":
        control.setFaceCheck(a.phone, a.courseId, a.faceCheck);
        return c.json({ ok: true });
      case "qrScan":
        return c.json({ ok: true, uuid: control.qrScan(a.phone, a.uuid) });
      case "qrConfirm":
        return c.json({ ok: true, uuid: control.qrConfirm(a.uuid) });
      case "qrCancel":
        return c.json({ ok: true, uuid: control.qrCancel(a.uuid) });
      case "qrExpire":
        return c.json({ ok: true, uuid: control.qrExpire(a.uuid) });
    }
  });

  return app;
}
