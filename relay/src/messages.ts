/**
 * What the agent says, in Chinese or English: `--lang zh|en`, else the system's locale (LC_ALL,
 * LC_MESSAGES, LANG; zh… → Chinese), else English. One catalogue; every line the agent prints is here.
 */
export type Lang = "zh" | "en";

type Params = Record<string, string | number>;

const en = {
  usage: `chaoxing-relay {version}: performs your Chaoxing requests from this computer for your chaoxing-edge deployment.

  first start:  node chaoxing-relay.mjs --url https://<deployment> --pair <code>
  later:        node chaoxing-relay.mjs --url https://<deployment>

  --url URL               the deployment (the address of the dashboard)
  --pair CODE             a pairing code from the dashboard (Relay page); used once
  --pair-only             pair, save the credential, and exit (installers use it)
  --name NAME             how the dashboard lists this relay (default: this computer's name)
  --state FILE            where the credential is kept (default ~/.chaoxing-relay/<host>.json,
                          or the CHAOXING_RELAY_STATE environment variable)
  --health-file FILE      touched while connected (a container's healthcheck reads its age)
  --lang zh|en            the language of these messages (default: from LANG)
  --dev-allow-loopback ORIGIN
                          development only: also relay to this one origin on this machine
                          (the local simulator, e.g. http://127.0.0.1:8001), and no other port
  --quiet                 print only connection changes and errors
  --help, --version

Exit codes: 0 stopped; 64 wrong usage (options, not paired, code refused); 75 temporary failure
(the deployment could not be reached while pairing): start again later; 77 do not restart (credential
revoked, another copy took over, Node.js or protocol version not supported); 1 a crash.`,
  nodeTooOld: "this relay needs Node.js {min} or later; this is Node.js {have}. Install a current Node.js LTS from https://nodejs.org (or run the installer from the Relay page again).",
  needUrl: "--url is required",
  badUrl: "--url {url} is not a URL",
  httpsOnly: "--url must be https:// (plain http only to localhost, with --dev-allow-loopback ORIGIN)",
  badLang: "--lang must be zh or en",
  cannotReach: "cannot reach {url}: {error}",
  pairFailed: "pairing failed (HTTP {status}): {detail}",
  paired: 'paired as "{name}" (relay #{id}); credential saved in {file}',
  notPaired: "not paired with {url} yet (no {file}).\nCreate a pairing code on the dashboard's Relay page and run with --pair <code>.",
  otherDeployment: "{file} belongs to {url}; use --state to keep one file per deployment",
  starting: "chaoxing-relay {version} → {url} (credential in {file})",
  confirmFirst: 'confirm relay #{id} on the dashboard\'s Relay page ("It\'s mine"): until then it relays nothing',
  devLoopback: "; development: also relays to {origin}",
  reconnecting: "reconnecting in {seconds} s",
  noPong: "no answer to the heartbeat: reconnecting",
  refused: "the deployment refused this relay (HTTP {status}): it was revoked or is unknown; pair again with a new code",
  outdated: "the deployment does not accept this relay's version: {detail}",
  httpStatus: "the deployment answered HTTP {status}",
  online: 'online as "{name}" (relay #{id})',
  replaced: "another agent with this credential connected: this one stops",
  disconnected: "disconnected ({code})",
  connectionError: "connection error: {error}",
};

const zh: Record<keyof typeof en, string> = {
  usage: `chaoxing-relay {version}：在这台设备上替你的 chaoxing-edge 部署访问超星。

  第一次启动：  node chaoxing-relay.mjs --url https://<部署地址> --pair <配对码>
  以后启动：    node chaoxing-relay.mjs --url https://<部署地址>

  --url 地址              部署地址（网页的地址）
  --pair 配对码           网页「中继」页生成的配对码，只能用一次
  --pair-only             只配对并保存凭据，然后退出（安装脚本使用）
  --name 名称             网页上显示的名称（默认：本机名）
  --state 文件            凭据保存位置（默认 ~/.chaoxing-relay/<域名>.json，或环境变量 CHAOXING_RELAY_STATE）
  --health-file 文件      连接期间不断更新的文件（容器的健康检查读取它的时间）
  --lang zh|en            提示语言（默认按 LANG）
  --dev-allow-loopback ORIGIN
                          仅开发用：也转发到本机的这一个地址（本地模拟器，如 http://127.0.0.1:8001），
                          不转发到本机的其他端口
  --quiet                 只显示连接变化和错误
  --help, --version

退出码：0 已停止；64 用法错误（参数、未配对、配对码无效）；75 暂时失败（配对时连不上部署），稍后再启动；
77 不要重启（凭据已撤销、另一个副本接管、Node.js 或协议版本不受支持）；1 程序崩溃。`,
  nodeTooOld: "中继需要 Node.js {min} 或更新版本，当前是 Node.js {have}。请从 https://nodejs.org 安装当前的 LTS 版本（或再次运行「中继」页的安装命令）。",
  needUrl: "缺少 --url",
  badUrl: "--url {url} 不是有效的地址",
  httpsOnly: "--url 必须是 https://（只有 localhost 且带 --dev-allow-loopback ORIGIN 时可用 http）",
  badLang: "--lang 只能是 zh 或 en",
  cannotReach: "无法连接 {url}：{error}",
  pairFailed: "配对失败（HTTP {status}）：{detail}",
  paired: "已配对为「{name}」（中继 #{id}），凭据保存在 {file}",
  notPaired: "尚未与 {url} 配对（没有 {file}）。\n请在网页「中继」页生成配对码，然后加上 --pair <配对码> 运行。",
  otherDeployment: "{file} 属于 {url}；请用 --state 为每个部署使用单独的文件",
  starting: "chaoxing-relay {version} → {url}（凭据在 {file}）",
  confirmFirst: "请在网页「中继」页确认中继 #{id}（「确认是我的」）：确认之前它不转发任何请求",
  devLoopback: "；开发模式：也转发到 {origin}",
  reconnecting: "{seconds} 秒后重新连接",
  noPong: "心跳没有回应：重新连接",
  refused: "部署拒绝了这个中继（HTTP {status}）：它已被撤销或不存在；请用新的配对码重新配对",
  outdated: "部署不接受这个中继的版本：{detail}",
  httpStatus: "部署返回 HTTP {status}",
  online: "已在线：「{name}」（中继 #{id}）",
  replaced: "另一个使用相同凭据的中继已连接：本中继停止",
  disconnected: "连接断开（{code}）",
  connectionError: "连接错误：{error}",
};

export type MessageKey = keyof typeof en;
export type Say = (key: MessageKey, params?: Params) => string;

/** The language asked for (`--lang`), else the locale's. */
export function langOf(flag: string | undefined, env: Record<string, string | undefined>): Lang | null {
  if (flag !== undefined) return flag === "zh" || flag === "en" ? flag : null;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^zh/i.test(locale) ? "zh" : "en";
}

export function messages(lang: Lang): Say {
  const table = lang === "zh" ? zh : en;
  return (key, params = {}) => table[key].replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}
