/**
 * Where the agent keeps its credential: one small JSON file per deployment, readable by its owner only
 * (0600 in a 0700 directory). Default `~/.chaoxing-relay/<deployment host>.json`; `--state FILE` or
 * CHAOXING_RELAY_STATE overrides it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface AgentState {
  url: string;
  relay_id: number;
  name: string;
  credential: string;
  paired_at: string;
}

export function defaultStatePath(url: string): string {
  const host = new URL(url).host.replace(/[^A-Za-z0-9.-]/g, "_");
  return path.join(homedir(), ".chaoxing-relay", `${host}.json`);
}

export function readState(file: string): AgentState | null {
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, "utf8")) as AgentState;
  if (typeof s.credential !== "string" || typeof s.url !== "string") throw new Error(`${file} is not a relay state file`);
  return s;
}

export function writeState(file: string, s: AgentState): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  // An existing file keeps its old mode through writeFileSync: set it again.
  chmodSync(file, 0o600);
}
