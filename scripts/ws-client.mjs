#!/usr/bin/env node
// A live-progress client written only from the seed documents (seed-api.md "WebSocket", and
// seed-wire-shapes.md for the messages it leaves out):
// connect to `WS /ws/connect?token=`, send {"type":"subscribe_task","task_id":N}, print each
// {"type":"task_update","task_id","data":{progress, current_item, item_progress, item_current_time,
// item_total_time, …}} as one line. It exits when the task stops running (or on Ctrl-C).
//
//   node scripts/ws-client.mjs --url http://localhost:8000 --token <jwt> --task <id> [--keep]
//
// `--keep` keeps listening after the task stops (e.g. to watch it be resumed).
import WebSocket from "ws";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const base = arg("url", "http://localhost:8000");
const token = arg("token");
const taskId = Number(arg("task"));
const keep = process.argv.includes("--keep");
if (!token || !Number.isInteger(taskId) || taskId < 1) {
  console.error("usage: node scripts/ws-client.mjs --url http://localhost:8000 --token <jwt> --task <id> [--keep]");
  process.exit(2);
}

const url = new URL("/ws/connect", base.replace(/^http/, "ws"));
url.searchParams.set("token", token);
const ws = new WebSocket(url);
const stamp = () => new Date().toISOString().slice(11, 19);
const fmtTime = (s) => (typeof s === "number" ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}` : "-");
let pinger;

ws.on("open", () => {
  ws.send(JSON.stringify({ type: "subscribe_task", task_id: taskId }));
  // Keeps idle proxies from dropping the connection; the server answers {"type":"pong"}.
  pinger = setInterval(() => ws.send(JSON.stringify({ type: "ping" })), 25_000);
});

ws.on("message", (raw) => {
  let m;
  try {
    m = JSON.parse(String(raw));
  } catch {
    return console.log(`${stamp()} (not JSON) ${String(raw).slice(0, 200)}`);
  }
  switch (m.type) {
    case "connected":
      return console.log(`${stamp()} connected as ${m.username} (user ${m.user_id})`);
    case "subscribed":
      return console.log(`${stamp()} subscribed to task ${m.task_id}`);
    case "task_update": {
      const d = m.data ?? {};
      const parts = [
        `${stamp()} task ${m.task_id}`,
        d.status ?? "",
        `${d.progress ?? 0}%`,
        d.current_item ? `${d.current_item} ${d.item_progress ?? 0}% (${fmtTime(d.item_current_time)}/${fmtTime(d.item_total_time)})` : "-",
      ];
      if (d.total_courses !== undefined) parts.push(`courses ${d.completed_courses}/${d.total_courses}`);
      if (d.eta_seconds != null) parts.push(`eta ${fmtTime(d.eta_seconds)}`);
      if (d.reason) parts.push(`reason ${d.reason}`);
      console.log(parts.join("  "));
      if (!keep && d.status && d.status !== "running" && d.status !== "pending") ws.close(1000, "done");
      return;
    }
    case "task_log":
      return console.log(`${stamp()}   [${m.log?.level}] ${m.log?.message}`);
    case "notification":
      return console.log(`${stamp()} (${m.level}) ${m.message}`);
    case "pong":
      return;
    case "error":
      return console.log(`${stamp()} error: ${m.detail ?? m.message}`);
    default:
      return console.log(`${stamp()} ${JSON.stringify(m)}`);
  }
});

ws.on("unexpected-response", (_req, res) => {
  let body = "";
  res.on("data", (c) => (body += c));
  res.on("end", () => {
    console.error(`handshake refused: HTTP ${res.statusCode} ${body}`);
    process.exit(1);
  });
});
ws.on("error", (e) => console.error(`socket error: ${e.message}`));
ws.on("close", (code, reason) => {
  clearInterval(pinger);
  console.log(`${stamp()} closed ${code} ${String(reason)}`);
  process.exit(code === 1000 ? 0 : 1);
});
process.on("SIGINT", () => ws.close(1000, "bye"));
