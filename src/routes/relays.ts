import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, gt, gte, isNull, sql } from "drizzle-orm";
import type { App } from "../app";
import { bearerToken, requireAuth } from "../auth/middleware";
import { config } from "../config";
import type { Db } from "../db/client";
import { relayPairingCodes, relays, userConfigs, users } from "../db/schema";
import { relayName, type RelaySession } from "../durable/relay";
import { upgradeRequest } from "../durable/sockets";
import { clock, isoNow } from "../lib/clock";
import { randomToken, sha256Hex } from "../lib/encoding";
import { ApiError, notFound } from "../lib/errors";
import { consume, type Limit } from "../lib/ratelimit";
import { open, seal } from "../lib/secretbox";
import { forgetEgress, effectiveEgress } from "../relay/egress";
import {
  formatCredential, frameKeyOf, MIN_RELAY_PROTOCOL, PAIR_PATH, parseCredential, PROTOCOL_HEADER, protocolOf, protocolSupported, RELAY_PATH, RELAY_PROTOCOL,
} from "../shared/relay-wire";
import { clientIp } from "../lib/client-ip";
import { bearer, errors, IdParam, json, jsonBody, MessageSchema } from "./schemas";
import { loadConfig } from "../users/config";

/** Pairing codes live 10 minutes: long enough to copy a command to another machine. */
const CODE_TTL_MS = 10 * 60_000;
/** 32 symbols without 0/O and 1/I, so it is typed from a phone without mistakes; 8 of them = 40 bits. */
const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_LENGTH = 8;
/** The first half of a code names it (`selector`): wrong guesses at a named code void it after this many. */
const SELECTOR_LENGTH = 4;
const MAX_CODE_FAILURES = 5;
/** Relays per user: a home computer, a phone, a campus machine and some to spare. */
const MAX_RELAYS = 5;
const relayCap = () => new ApiError("relay_cap", `最多可以有 ${MAX_RELAYS} 个中继：请先撤销一个不用的`);
/**
 * Exchanges counted before the check, per client (an IPv6 client by its /64, `clientIp`) and for all
 * clients together. 100 attempts per 10 minutes over 32^8 codes keeps a guess hopeless however many
 * addresses a guesser has; while someone spends that budget, honest pairings wait too (a relay that was
 * paired keeps working).
 */
const pairLimits = (client: string): Limit[] => [
  { key: `relay-pair:ip:${client}`, max: 10, windowSeconds: 600 },
  { key: "relay-pair:all", max: 100, windowSeconds: 600 },
];
export const AGENT_FILE = "/relay/chaoxing-relay.mjs";
/** The installers the deployment serves (relay/install/, built into web/dist/relay/). */
export const INSTALL_SH = "/relay/install.sh";
export const INSTALL_PS1 = "/relay/install.ps1";

const Egress = z.enum(["relay", "direct"]);

const RelaySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    online: z.boolean(),
    connected_at: z.string().nullable().openapi({ description: "在线时：本次连接的时间" }),
    last_seen_at: z.string().nullable().openapi({ description: "最后一次连接或断开的时间" }),
    version: z.string().nullable(),
    requests_today: z.number().int().openapi({ description: "今天（北京时间）经它转发的超星请求数" }),
    confirmed: z.boolean().openapi({ description: "你是否已在网页上确认它；未确认的中继不转发任何请求" }),
    needs_update: z.boolean().openapi({ description: "它上次连接时因协议版本不受支持被拒绝（需要更新）：用 install_commands 重新安装" }),
    created_at: z.string(),
  })
  .openapi("Relay");

const InstallSchema = z
  .object({
    sh: z.string().openapi({ description: "Linux、macOS、安卓 Termux：一行命令（检查或安装 Node.js、校验中继程序、配对、设置开机自启）" }),
    powershell: z.string().openapi({ description: "Windows：PowerShell 中执行的一行命令" }),
  })
  .openapi("RelayInstall");

const OverviewSchema = z
  .object({
    egress: Egress.openapi({
      description: "你的超星请求从哪里发出：relay = 经你自己运行的中继（家庭/校园网络）；direct = 直接从服务器（仅部署方允许时）",
    }),
    direct_allowed: z.boolean().openapi({ description: "本部署是否允许 direct（EGRESS_DIRECT_ALLOWED）" }),
    relays: z.array(RelaySchema),
    download_url: z.string().openapi({ description: "中继程序（一个文件，需 Node.js ≥ 18）" }),
    run_command: z.string().openapi({ description: "配对之后，每次启动中继的命令" }),
    install_commands: InstallSchema.openapi({ description: "安装或更新中继（保留已有的配对）" }),
  })
  .openapi("RelayOverview");

const PairingCodeSchema = z
  .object({
    code: z.string().openapi({ example: "K7Q3-M9XF" }),
    expires_at: z.string(),
    command: z.string().openapi({ description: "在要运行中继的电脑上执行的完整命令" }),
    download_url: z.string(),
    install_commands: InstallSchema.openapi({ description: "一行安装并用此配对码配对" }),
  })
  .openapi("RelayPairingCode");

const PairBody = z
  .object({
    code: z.string().trim().min(4).max(32),
    name: z.string().trim().max(64).optional().openapi({ description: "列表里显示的名字：去掉控制、双向文字等格式字符，最多保留 32 个字符" }),
    version: z.string().trim().max(32).optional(),
  })
  .openapi("RelayPairRequest");

const PairedSchema = z
  .object({
    relay_id: z.number().int(),
    name: z.string(),
    credential: z.string().openapi({ description: "长期凭据，只在此返回一次；服务器只保存其哈希" }),
  })
  .openapi("RelayPaired");

const normaliseCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, "");

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  const raw = Array.from(bytes, (b) => CODE_ALPHABET[b & 31]).join("");
  return `${raw.slice(0, 4)}-${raw.slice(4)}`;
}

/** How long a relay's shown name may be, in characters (code points): a label, on a phone's screen too. */
const NAME_CHARS = 32;

/**
 * A relay's name as shown (the list, the agent's hello): no control, format (bidi overrides and isolates,
 * zero-width, soft hyphen) or line-separator characters, which could reorder or hide what the owner reads
 * next to it; spaces collapsed; at most NAME_CHARS characters. Applied when paired and when shown (names
 * stored before this rule).
 */
const cleanName = (name: string | undefined): string =>
  Array.from((name ?? "").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "").replace(/\s+/gu, " ").trim())
    .slice(0, NAME_CHARS)
    .join("")
    .trim() || "relay";

/**
 * The exact command for this deployment, as the dashboard shows it. The agent's development flag, with
 * the one origin it may reach on the student's machine, only where the deployment names its development
 * origin (`RELAY_DEV_ORIGIN`, set by `npm run dev`): loopback Chaoxing URLs alone never show it.
 */
function agentCommand(env: Env, requestUrl: string, code?: string): string {
  const dev = config(env).RELAY_DEV_ORIGIN;
  return `node chaoxing-relay.mjs --url ${new URL(requestUrl).origin}${code ? ` --pair ${code}` : ""}${dev ? ` --dev-allow-loopback ${dev}` : ""}`;
}

/**
 * The one-line installers (README "Run the relay"): they fetch the installer from this deployment and
 * pass it the deployment, the code and, like `agentCommand`, the development origin where one is set.
 */
export function installCommands(env: Env, requestUrl: string, code?: string): { sh: string; powershell: string } {
  const origin = new URL(requestUrl).origin;
  const dev = config(env).RELAY_DEV_ORIGIN;
  const sh = `curl -fsSL ${origin}${INSTALL_SH} | sh -s -- --url ${origin}${code ? ` --pair ${code}` : ""}${dev ? ` --dev-allow-loopback ${dev}` : ""}`;
  const ps = `& ([scriptblock]::Create((irm '${origin}${INSTALL_PS1}'))) -Url '${origin}'${code ? ` -Pair '${code}'` : ""}${dev ? ` -DevAllowLoopback '${dev}'` : ""}`;
  return { sh, powershell: `powershell -NoProfile -ExecutionPolicy Bypass -Command "${ps}"` };
}

/** A wrong code whose first half names a live code counts against that code; the code is void after MAX_CODE_FAILURES. */
async function countWrongGuess(db: Db, selector: string): Promise<void> {
  const live = and(eq(relayPairingCodes.selector, selector), isNull(relayPairingCodes.usedAt));
  await db.batch([
    db.update(relayPairingCodes).set({ failures: sql`${relayPairingCodes.failures} + 1` }).where(live),
    db.delete(relayPairingCodes).where(and(live, gte(relayPairingCodes.failures, MAX_CODE_FAILURES))),
  ]);
}

export function registerRelayRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/relays",
      tags: ["中继"],
      summary: "我的中继与出口设置（在线状态、最后在线、版本、今日请求数）",
      ...auth,
      responses: { 200: json(OverviewSchema, "中继列表"), 401: errors[401] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      const db = c.var.db;
      const [rows, cfg, status] = await Promise.all([
        db.select().from(relays).where(eq(relays.userId, userId)).orderBy(relays.id).all(),
        loadConfig(db, userId),
        c.env.RELAYS.getByName(relayName(userId)).status(),
      ]);
      const byId = new Map(status.map((s) => [s.relayId, s]));
      const allowed = config(c.env).EGRESS_DIRECT_ALLOWED;
      return c.json(
        {
          egress: effectiveEgress(cfg.egress, allowed),
          direct_allowed: allowed,
          download_url: new URL(AGENT_FILE, c.req.url).toString(),
          run_command: agentCommand(c.env, c.req.url),
          install_commands: installCommands(c.env, c.req.url),
          relays: rows.map((r) => {
            const s = byId.get(r.id);
            return {
              id: r.id,
              name: cleanName(r.name),
              online: s?.online ?? false,
              connected_at: s?.connectedAt ? new Date(s.connectedAt).toISOString() : null,
              last_seen_at: r.lastSeenAt,
              version: r.version,
              requests_today: s?.requestsToday ?? 0,
              confirmed: r.confirmedAt !== null,
              needs_update: s?.needsUpdate ?? false,
              created_at: r.createdAt,
            };
          }),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/relays/egress",
      tags: ["中继"],
      summary: "选择出口：relay（经你的中继）或 direct（直接从服务器，仅部署方允许时）",
      description:
        "relay 时，没有在线的中继则任务暂停（reason: relay_offline），中继连接后自动继续，绝不改为直连。" +
        "一个超星账号的自动请求同一时间只经一个中继（该中继在线期间固定不变）。",
      ...auth,
      request: { body: jsonBody(z.object({ egress: Egress }).openapi("EgressUpdate")) },
      responses: { 200: json(z.object({ egress: Egress, direct_allowed: z.boolean() }).openapi("EgressChoice"), "已保存"), 400: errors[400], 401: errors[401], 409: errors[409], 415: errors[415] },
    }),
    async (c) => {
      const { egress } = c.req.valid("json");
      const allowed = config(c.env).EGRESS_DIRECT_ALLOWED;
      if (egress === "direct" && !allowed) throw new ApiError("conflict", "本部署不允许直连超星：请使用中继");
      const db = c.var.db;
      const userId = c.var.auth.user.id;
      await loadConfig(db, userId);
      await db.update(userConfigs).set({ egress, updatedAt: isoNow() }).where(eq(userConfigs.userId, userId));
      forgetEgress(userId);
      return c.json({ egress, direct_allowed: allowed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/relays/pairing-code",
      tags: ["中继"],
      summary: "生成一次性配对码（10 分钟内有效；生成新码会作废之前未用的码）",
      ...auth,
      responses: { 201: json(PairingCodeSchema, "配对码和要执行的命令"), 401: errors[401], 409: errors[409], 429: errors[429] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      const db = c.var.db;
      const mine = await db.select({ n: count() }).from(relays).where(eq(relays.userId, userId)).get();
      if ((mine?.n ?? 0) >= MAX_RELAYS) throw relayCap();
      await consume(db, { key: `relay-code:user:${userId}`, max: 20, windowSeconds: 3600 });
      const code = newCode();
      const now = clock.now();
      const expiresAt = new Date(now + CODE_TTL_MS).toISOString();
      await db.batch([
        db.delete(relayPairingCodes).where(and(eq(relayPairingCodes.userId, userId), isNull(relayPairingCodes.usedAt))),
        db.insert(relayPairingCodes).values({
          codeHash: await sha256Hex(normaliseCode(code)),
          selector: normaliseCode(code).slice(0, SELECTOR_LENGTH),
          userId,
          expiresAt,
          createdAt: new Date(now).toISOString(),
        }),
      ]);
      return c.json(
        {
          code, expires_at: expiresAt, command: agentCommand(c.env, c.req.url, code), download_url: new URL(AGENT_FILE, c.req.url).toString(),
          install_commands: installCommands(c.env, c.req.url, code),
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: PAIR_PATH,
      tags: ["中继"],
      summary: "中继程序用配对码换取长期凭据（一次有效；按 IP（IPv6 按 /64）与全站限流，一个码猜错 5 次即作废）",
      description: "新配对的中继要等它的主人在网页上确认（POST /api/relays/{id}/confirm）之后才转发请求。",
      request: { body: jsonBody(PairBody) },
      responses: { 201: json(PairedSchema, "已配对"), 400: errors[400], 409: errors[409], 415: errors[415], 429: errors[429] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = c.var.db;
      // Counted before the check: guessing codes costs the guesser, whatever the answer.
      await consume(db, ...pairLimits(clientIp(c)));
      const now = isoNow();
      const typed = normaliseCode(body.code);
      // Claimed atomically: only one request flips used_at from NULL.
      const claimed = await db
        .update(relayPairingCodes)
        .set({ usedAt: now })
        .where(and(eq(relayPairingCodes.codeHash, await sha256Hex(typed)), isNull(relayPairingCodes.usedAt), gt(relayPairingCodes.expiresAt, now)))
        .returning({ userId: relayPairingCodes.userId })
        .get();
      if (!claimed) await countWrongGuess(db, typed.slice(0, SELECTOR_LENGTH));
      const owner = claimed && (await db.select({ active: users.isActive }).from(users).where(eq(users.id, claimed.userId)).get());
      if (!claimed || !owner?.active) throw new ApiError("invalid_pairing_code", "配对码无效、已使用或已过期：请在网页上重新生成");
      const secret = randomToken(32);
      const secretHash = await sha256Hex(secret);
      const frameKeyEnc = await seal(await frameKeyOf(secret), config(c.env).CX_ENCRYPTION_KEY, `relay:${secretHash}`);
      // Inserted only under the cap, in one statement: two pairings at once cannot both pass a count.
      const row = await db.get<{ id: number; name: string } | undefined>(sql`
        INSERT INTO ${relays} (user_id, name, secret_hash, frame_key_enc, version, created_at)
        SELECT ${claimed.userId}, ${cleanName(body.name)}, ${secretHash}, ${frameKeyEnc}, ${body.version ?? null}, ${now}
        WHERE (SELECT COUNT(*) FROM ${relays} WHERE user_id = ${claimed.userId}) < ${MAX_RELAYS}
        RETURNING id, name`);
      if (!row) throw relayCap();
      return c.json({ relay_id: row.id, name: row.name, credential: formatCredential(row.id, secret) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/relays/{id}/confirm",
      tags: ["中继"],
      summary: "确认新配对的中继是你自己的（确认之后它才转发请求）",
      description: "只确认你自己刚刚配对、其窗口显示同一编号（中继 #id）的中继。",
      ...auth,
      request: { params: IdParam },
      responses: { 200: json(MessageSchema, "已确认"), 400: errors[400], 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      const id = c.req.valid("param").id;
      const db = c.var.db;
      const row = await db.select({ confirmedAt: relays.confirmedAt }).from(relays).where(and(eq(relays.id, id), eq(relays.userId, userId))).get();
      if (!row) throw notFound("中继不存在");
      if (row.confirmedAt === null) await db.update(relays).set({ confirmedAt: isoNow() }).where(eq(relays.id, id));
      await c.env.RELAYS.getByName(relayName(userId)).confirm(id, userId);
      return c.json({ message: "中继已确认" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/relays/{id}",
      tags: ["中继"],
      summary: "撤销中继（其连接立即断开，凭据失效）",
      ...auth,
      request: { params: IdParam },
      responses: { 200: json(MessageSchema, "已撤销"), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const userId = c.var.auth.user.id;
      const id = c.req.valid("param").id;
      const gone = await c.var.db.delete(relays).where(and(eq(relays.id, id), eq(relays.userId, userId))).returning({ id: relays.id }).get();
      if (!gone) throw notFound("中继不存在");
      await c.env.RELAYS.getByName(relayName(userId)).revoke(id);
      return c.json({ message: "中继已撤销" }, 200);
    },
  );

  /**
   * `WS /ws/relay`: the agent's connection (README "Run the relay"). A plain Hono route, as OpenAPI cannot
   * describe a WebSocket. The credential is checked here; the socket lives in the user's relay object.
   */
  app.get(RELAY_PATH, async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("upgrade_required", "需要 WebSocket 升级请求（Upgrade: websocket）");
    // Agents are not browsers: a page must never open this socket with someone's credential.
    if (c.req.header("Origin") !== undefined) throw new ApiError("forbidden", "不允许的来源（Origin）");
    const cred = parseCredential(bearerToken(c.req.header("Authorization")) ?? "");
    const unknown = () => new ApiError("unauthorized", "中继凭据无效或已撤销：请重新配对");
    if (!cred) throw unknown();
    const row = await c.var.db
      .select({ id: relays.id, userId: relays.userId, name: relays.name, secretHash: relays.secretHash, frameKeyEnc: relays.frameKeyEnc, confirmedAt: relays.confirmedAt, active: users.isActive })
      .from(relays)
      .innerJoin(users, eq(users.id, relays.userId))
      .where(eq(relays.id, cred.relayId))
      .get();
    if (!row || !row.active || row.secretHash !== (await sha256Hex(cred.secret))) throw unknown();
    const version = (c.req.header("X-Relay-Version") ?? "").slice(0, 32);
    // An agent of a protocol this deployment does not speak is refused here, before the relay object
    // takes it: it never counts as online (no task resumes only to pause again), and it is told what to do.
    const protocol = protocolOf(c.req.header(PROTOCOL_HEADER));
    if (!protocolSupported(protocol)) {
      await c.env.RELAYS.getByName(relayName(row.userId)).refusedOutdated(row.userId, row.id, version, protocol);
      throw new ApiError(
        "relay_outdated",
        `中继协议版本 ${protocol ?? "未知"} 不受支持（本部署支持 ${MIN_RELAY_PROTOCOL}–${RELAY_PROTOCOL}）。请重新安装中继（保留配对）：${installCommands(c.env, c.req.url).sh}`,
      );
    }
    const session: RelaySession = {
      relayId: row.id,
      userId: row.userId,
      name: cleanName(row.name),
      version,
      frameKey: await open(row.frameKeyEnc, config(c.env).CX_ENCRYPTION_KEY, `relay:${row.secretHash}`),
      confirmed: row.confirmedAt !== null,
    };
    const relay = c.env.RELAYS.getByName(relayName(row.userId));
    const res = await relay.fetch(upgradeRequest("https://relay/connect", await relay.ticket(session)));
    // Re-wrapped so middleware may set headers on it (the object's are immutable).
    return res.webSocket ? new Response(null, { status: 101, webSocket: res.webSocket }) : res;
  });
}
