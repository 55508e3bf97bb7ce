import { firstBad, is, type RecordFormat } from "../lib/versioned";

/**
 * The small records the hub, the relay object and a task's live channel keep, versioned like the task
 * record (src/lib/versioned.ts, src/tasks/record-versions.ts). Version 0 is what the releases before
 * versions wrote: a bare list or number, or the object without `v`. Those whose shape changed (a bare
 * list or number became an object) took new keys (`moved`), so 0.1.0, if a rollback runs it again, reads
 * and writes only its own; the others gained only `v`, which 0.1.0 ignores.
 */

const unchanged = (r: unknown): unknown => r;
const list = <T>(name: string, item: (v: unknown) => boolean, wrap: (items: unknown[]) => T) => (r: unknown): T => {
  if (!Array.isArray(r) || !r.every(item)) throw new TypeError(`not a list of ${name}`);
  return wrap(r);
};

/** The hub's run slots: the user's running tasks, for the running-task cap. */
export interface RunSlots {
  v?: number;
  ids: number[];
}
export const RUN_SLOTS: RecordFormat<RunSlots> = {
  name: "run slots",
  moved: { was: "run", now: "slots" },
  steps: [list("task ids", is.int, (ids) => ({ ids }))],
  check: (r) => firstBad(r, { ids: (v) => Array.isArray(v) && v.every(is.int) }),
};

/** The hub's note of a direct task socket: its token's expiry and user. */
export interface DirectEntry {
  v?: number;
  exp: number;
  userId: number;
}
export const DIRECT_ENTRY: RecordFormat<DirectEntry> = {
  name: "direct socket entry",
  steps: [unchanged],
  check: (r) => firstBad(r, { exp: is.num, userId: is.int }),
};

/** A task's subscribed hubs (their object names). */
export interface SubscribedHubs {
  v?: number;
  hubs: string[];
}
export const SUBSCRIBED_HUBS: RecordFormat<SubscribedHubs> = {
  name: "subscribed hubs",
  moved: { was: "hubs", now: "subscribers" },
  steps: [list("hub names", is.str, (hubs) => ({ hubs }))],
  check: (r) => firstBad(r, { hubs: (v) => Array.isArray(v) && v.every(is.str) }),
};

/** The relay a Chaoxing account is pinned to (a stable address per account). */
export interface RelayPin {
  v?: number;
  relayId: number;
}
export const RELAY_PIN: RecordFormat<RelayPin> = {
  name: "relay pin",
  moved: { was: "pin:", now: "pinned:" },
  steps: [(r) => {
    if (!is.int(r)) throw new TypeError("not a relay id");
    return { relayId: r };
  }],
  check: (r) => firstBad(r, { relayId: is.int }),
};

/** Requests a relay carried on one Asia/Shanghai day. */
export interface RelayCount {
  v?: number;
  day: string;
  n: number;
}
export const RELAY_COUNT: RecordFormat<RelayCount> = {
  name: "relay count",
  steps: [unchanged],
  check: (r) => firstBad(r, { day: is.str, n: is.int }),
};

/** A relay refused at the handshake for its protocol (kept until it connects again); version 0 is the same without `v`. */
export interface RelayOutdated {
  v?: number;
  version: string;
  protocol: number | null;
  at: number;
}
export const RELAY_OUTDATED: RecordFormat<RelayOutdated> = {
  name: "outdated relay",
  steps: [unchanged],
  check: (r) => firstBad(r, { version: is.str, protocol: is.nullable(is.int), at: is.num }),
};

/** The user a relay object belongs to (a bare user id before versions). */
export interface RelayOwner {
  v?: number;
  userId: number;
}
export const RELAY_OWNER: RecordFormat<RelayOwner> = {
  name: "relay owner",
  moved: { was: "user", now: "owner" },
  steps: [(r) => {
    if (!is.int(r)) throw new TypeError("not a user id");
    return { userId: r };
  }],
  check: (r) => firstBad(r, { userId: is.int }),
};
