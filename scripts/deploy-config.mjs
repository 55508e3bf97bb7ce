// The operator's settings and the checks a deploy makes on them (README "Deploying to Cloudflare").
//
// The tracked wrangler.toml holds the development values (the placeholder database id, a localhost
// APP_URL, mail to the log), which `npm run dev`, the tests and CI use. An operator's own values live in
// deploy.env, which is not tracked (`git pull` never touches it; deploy.example.env is its template):
// `npm run deploy` checks them, writes wrangler.deploy.json (wrangler.toml with them laid over) and
// deploys that. Plain functions here, so test/node/deploy-config.test.ts runs them without wrangler.

/** Settings of deploy.env that are not a [vars] entry of wrangler.toml. */
export const DEPLOY_KEYS = {
  ENVIRONMENT: "production (the default: every check below) or development (a deployment for trying things out)",
  D1_DATABASE_ID: "the id `npx wrangler d1 create chaoxing-edge` printed",
  WORKER_NAME: "the Worker's name (default chaoxing-edge)",
};

/** Secrets never go in a file: they are set with `npx wrangler secret put NAME`. */
export const SECRETS = ["JWT_SECRET", "PASSWORD_PEPPER", "CX_ENCRYPTION_KEY", "MAIL_API_KEY"];

const PLACEHOLDER_ID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]);

/** `KEY=value` lines; `#` comments and blank lines ignored; a value may be quoted. */
export function parseEnvFile(text) {
  const out = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/);
    if (!m) throw new Error(`deploy.env line ${i + 1}: expected NAME=value, found "${line.slice(0, 40)}"`);
    out[m[1]] = m[2].replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return out;
}

/**
 * What stops a deploy with these settings, each saying what to set. `vars` are wrangler.toml's [vars]
 * (the development values the settings override).
 */
export function deployProblems(settings, vars) {
  const problems = [];
  const env = settings.ENVIRONMENT ?? "production";
  const value = (k) => settings[k] ?? vars[k];
  for (const k of Object.keys(settings)) {
    if (SECRETS.includes(k)) problems.push(`${k} is a secret: remove it from deploy.env and run \`npx wrangler secret put ${k}\``);
    else if (!(k in vars) && !(k in DEPLOY_KEYS)) problems.push(`${k} is not a setting: deploy.env takes ${Object.keys(DEPLOY_KEYS).join(", ")} and the [vars] of wrangler.toml (README "Configuration")`);
  }
  if (env !== "production" && env !== "development") problems.push(`ENVIRONMENT is "${env}": set production or development`);
  const id = settings.D1_DATABASE_ID ?? "";
  if (!id || PLACEHOLDER_ID.test(id)) problems.push("D1_DATABASE_ID: set it to the database_id `npx wrangler d1 create chaoxing-edge` printed");
  if (env !== "production") return problems;

  let url = null;
  try {
    url = new URL(value("APP_URL"));
  } catch {
    // reported below
  }
  if (!url || url.protocol !== "https:" || LOCAL_HOSTS.has(url.hostname)) {
    problems.push(`APP_URL is ${JSON.stringify(value("APP_URL"))}: set the public https address of your dashboard (reset links and notifications point there), e.g. APP_URL=https://cx.example.org`);
  }
  const sender = value("MAIL_SENDER");
  if (sender === "log") {
    problems.push("MAIL_SENDER is log (password-reset mails would go to the worker log): set MAIL_SENDER=resend, MAIL_FROM to a sender your mail provider verified, and the MAIL_API_KEY secret");
  } else if (/@example\.(com|org|net)>?$/.test(value("MAIL_FROM") ?? "")) {
    problems.push(`MAIL_FROM is ${JSON.stringify(value("MAIL_FROM"))}: set a sender address your mail provider verified`);
  }
  if (value("NOTIFY_ALLOWED_ORIGINS")) problems.push("NOTIFY_ALLOWED_ORIGINS lets notifications reach private addresses (a local test receiver): leave it empty in production");
  if (value("RELAY_DEV_ORIGIN")) problems.push("RELAY_DEV_ORIGIN puts the agent's --dev-allow-loopback (a local simulator) in every pairing command: leave it empty in production");
  return problems;
}

/** wrangler.toml's configuration with the operator's settings laid over it: what is deployed. */
export function deployConfig(raw, settings) {
  const vars = { ...raw.vars };
  for (const [k, v] of Object.entries(settings)) if (k in vars) vars[k] = v;
  return {
    ...raw,
    name: settings.WORKER_NAME || raw.name,
    vars,
    d1_databases: raw.d1_databases.map((d) => (d.binding === "DB" ? { ...d, database_id: settings.D1_DATABASE_ID } : d)),
  };
}
