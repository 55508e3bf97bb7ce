import { z } from "@hono/zod-openapi";
import type { UserRow } from "../auth/tokens";
import { normalisePhone } from "../lib/phone-number";
import { decimal, decimalOr } from "../lib/decimal";
import { LANGUAGES } from "../shared/notify";
import type { ConfigRow } from "../users/config";
import { NOTOPEN_ACTIONS, ROLES } from "../shared/live";

const FieldErrorSchema = z
  .object({
    field: z.string().openapi({ description: "字段路径（点分隔）；整个请求体为 body" }),
    message: z.string(),
    code: z.string().openapi({ description: "zod 的 issue code：too_small、too_big、invalid_format、invalid_type、invalid_value、custom 等；已被占用的用户名或邮箱为 duplicate" }),
    params: z
      .object({
        minimum: z.number().optional(),
        maximum: z.number().optional(),
        origin: z.string().optional().openapi({ description: "被度量的对象：string（长度）、number（数值）、array（元素数）等" }),
        format: z.string().optional(),
        expected: z.string().optional(),
        values: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().openapi({ description: "允许的取值" }),
      })
      .optional(),
  })
  .openapi("FieldError");

export const ErrorSchema = z
  .object({
    detail: z.string(),
    code: z.string().openapi({ description: "错误代码（api-contract.md 的封闭列表，每个代码只对应一个 HTTP 状态）" }),
    errors: z.array(FieldErrorSchema).max(20).optional().openapi({ description: "逐字段的错误：validation_error，以及 duplicate（field 为 username 或 email）" }),
    status: z.string().optional().openapi({ description: "task_state 时：任务当前的状态" }),
    link: z.string().optional().openapi({ description: "relay_required 时：去处理它的页面（/relay）" }),
  })
  .openapi("Error");

export const MessageSchema = z.object({ message: z.string(), detail: z.string().optional() }).openapi("Message");

export const UserSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    role: z.enum(ROLES),
    is_active: z.boolean(),
    created_at: z.string(),
    last_login: z.string().nullable(),
  })
  .openapi("User");
export type UserOut = z.infer<typeof UserSchema>;

export function userOut(u: UserRow): UserOut {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    email_verified: u.emailVerified,
    role: u.role,
    is_active: u.isActive,
    created_at: u.createdAt,
    last_login: u.lastLogin,
  };
}

export const IdParam = z.object({
  id: decimal(1).openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const PageQuery = z.object({
  page: decimalOr(1, 1),
  page_size: decimalOr(20, 1, 100),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int(),
      page: z.number().int(),
      page_size: z.number().int(),
      total_pages: z.number().int(),
    })
    .openapi(name);
}

export function paginate<T>(items: T[], total: number, page: number, pageSize: number) {
  return { items, total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) };
}

const err = (description: string) => ({ content: { "application/json": { schema: ErrorSchema } }, description });

/** Error responses for the OpenAPI document, by status. */
export const errors = {
  400: err("请求错误：校验失败或状态不允许"),
  401: err("未认证：缺少、无效、过期或已撤销的令牌"),
  403: err("权限不足"),
  404: err("资源不存在（或属于其他用户）"),
  409: err(
    "状态冲突：task_state（任务当前状态不允许此操作，status 为当前状态）、last_admin（会不再有启用的管理员）、self_delete（删除自己）、running_cap、relay_cap（中继数已达上限）、relay_required（出口为中继但没有在线的中继：任务不启动，link 指向中继页）、email_unverified（邮箱尚未验证）、chaoxing_login_required（扫码绑定的超星账号登录已失效：link 指向扫码页），其余为 conflict",
  ),
  413: err("请求体过大（上限 256 KB；code: payload_too_large）"),
  415: err("不支持的请求体类型"),
  428: err("需要工作量证明（code: pow_required）：GET /api/auth/challenge，解出后在请求体的 pow 中带上"),
  429: err("请求过于频繁（带 Retry-After）；notify_capped：今日通知（含测试）已达上限"),
  502: err("超星服务不可用"),
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});

export const bearer = [{ bearerAuth: [] }];

export const Speed = z
  .number()
  .min(1, "速度范围 1.0–2.0")
  .max(2, "速度范围 1.0–2.0")
  .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, "速度最多一位小数");

export const NotopenAction = z.enum(NOTOPEN_ACTIONS);

export const Password = z.string().min(8, "密码至少 8 位").max(128);
export const Email = z.string().max(254).email("邮箱格式不正确");

/**
 * A Chaoxing account is a mainland mobile number (the `uname` of `fanyalogin`: chaoxing-protocol.md): 11
 * digits starting with 1; spaces, dashes and a +86/86 prefix are accepted, and the handler stores
 * `normalisePhone` of it (the phone object's own normalisation, so one phone is one object, one pacing and
 * one set of limits however it was typed; a zod transform would drop the field's nullability from the
 * document).
 */
export const CxPhone = z
  .string()
  .max(32)
  .refine((s) => /^1\d{10}$/.test(normalisePhone(s)), "请输入 11 位中国大陆手机号")
  .openapi({ description: "超星账号：中国大陆手机号（可带空格、连字符或 +86/86 前缀，保存为 11 位数字）", example: "13800138000" });

export const Language = z.enum(LANGUAGES);

export const UserConfigSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    cx_username: z.string().nullable(),
    cx_password_set: z.boolean().openapi({ description: "是否已保存超星密码（密码本身从不返回）" }),
    cx_login: z.enum(["password", "qr"]).nullable().openapi({
      description: "超星账号的绑定方式：password（手机号和密码）或 qr（学习通扫码，不保存任何密码，会话失效后需重新扫码）；未绑定为 null",
    }),
    use_cookies: z.literal(false).openapi({ description: "兼容原接口：本平台始终用账号密码登录，并在账号对象中保存会话 cookie，不提供 cookie 登录" }),
    speed: z.number(),
    notopen_action: NotopenAction,
    language: Language.openapi({ description: "通知使用的语言（仪表盘切换语言时写入）" }),
    updated_at: z.string(),
  })
  .openapi("UserConfig");

export function configOut(r: ConfigRow): z.infer<typeof UserConfigSchema> {
  return {
    id: r.id,
    user_id: r.userId,
    cx_username: r.cxUsername,
    cx_password_set: r.cxPasswordEnc !== null,
    cx_login: r.cxUsername ? (r.cxLogin ?? "password") : null,
    use_cookies: false,
    speed: r.speed,
    notopen_action: r.notopenAction,
    language: r.language,
    updated_at: r.updatedAt,
  };
}

export const StatisticsSchema = z
  .object({
    tasks: z.object({
      total: z.number().int(),
      pending: z.number().int(),
      running: z.number().int(),
      paused: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
    study_seconds: z.number().int(),
    jobs_completed: z.number().int(),
  })
  .openapi("UserStatistics");
