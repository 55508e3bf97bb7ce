import { describe, expect, it } from "vitest";
import { LIMITS_RECORD, LOCK_RECORD, QR_PENDING_RECORD, REFUSALS_RECORD, SESSION_RECORD, USAGE_RECORD } from "../../src/durable/binding-records";
import { DIRECT_ENTRY, RELAY_COUNT, RELAY_OUTDATED, RELAY_OWNER, RELAY_PIN, RUN_SLOTS, SUBSCRIBED_HUBS } from "../../src/durable/stored";
import { deleteVersioned, getVersioned, listVersioned, load, putVersioned } from "../../src/lib/versioned";
import { TASK_RECORD } from "../../src/tasks/record-versions";
import relay from "../fixtures/records/0.1.0-05723ba/relay.json";
import tasks from "../fixtures/records/0.1.0-05723ba/tasks.json";

// The hub's, the relay object's and a task channel's small records as releases before versions wrote
// them (bare lists and numbers, objects without `v`): each loads into its current version.

const stored = (dumps: { kv: unknown[][] }[], key: string) => dumps.flatMap((d) => d.kv).find(([k]) => k === key)?.[1];

describe("small records of the previous release", () => {
  it("the hub's run slots (a bare list of task ids)", () => {
    const raw = stored(tasks.objects.HUBS, "run");
    expect(Array.isArray(raw)).toBe(true);
    expect(load(RUN_SLOTS, raw)).toMatchObject({ ok: true, from: 0, value: { v: 1, ids: raw } });
  });

  it("the relay's pin (a bare relay id) and its day's count", () => {
    const pin = relay.objects.RELAYS[0]!.kv.find(([k]) => String(k).startsWith("pin:"))![1];
    const count = relay.objects.RELAYS[0]!.kv.find(([k]) => String(k).startsWith("n:"))![1];
    expect(load(RELAY_PIN, pin)).toMatchObject({ ok: true, value: { relayId: relay.relays.second } });
    expect(load(RELAY_COUNT, count)).toMatchObject({ ok: true, value: { n: relay.requests } });
  });

  it("a task's subscribed hubs and the hub's direct-socket entries", () => {
    expect(load(SUBSCRIBED_HUBS, ["hub:1", "hub:2"])).toMatchObject({ ok: true, value: { hubs: ["hub:1", "hub:2"] } });
    expect(load(DIRECT_ENTRY, { exp: 1_900_000_000, userId: 4 })).toMatchObject({ ok: true, value: { v: 1, exp: 1_900_000_000, userId: 4 } });
  });

  it("what does not fit is a failure, not a throw", () => {
    expect(load(RUN_SLOTS, ["x"])).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
    expect(load(RELAY_PIN, "2")).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });
});

describe("records whose shape changed took new keys (a rollback's older release reads only its own)", () => {
  const memory = () => {
    const m = new Map<string, unknown>();
    const kv: SyncKvStorage = {
      get: <T>(k: string) => m.get(k) as T | undefined,
      put: (k, v) => void m.set(k, v),
      delete: (k) => m.delete(k),
      list: <T>(o?: SyncKvListOptions) => [...m].filter(([k]) => k.startsWith(o?.prefix ?? "")) as [string, T][],
    };
    return { m, kv };
  };

  it("reads the old key while the new one is missing, and writing the new one removes the old", () => {
    const { m, kv } = memory();
    m.set("run", [3, 4]);
    expect(getVersioned(kv, "slots", RUN_SLOTS)?.ids).toEqual([3, 4]);
    putVersioned(kv, "slots", RUN_SLOTS, { ids: [4] });
    expect([...m]).toEqual([["slots", { v: 1, ids: [4] }]]);
  });

  it("lists old and new keys under today's names, and deletes both", () => {
    const { m, kv } = memory();
    m.set("pin:acct:1", 2);
    m.set("pinned:acct:2", { v: 1, relayId: 5 });
    expect(listVersioned(kv, "pinned:", RELAY_PIN)).toEqual([["pinned:acct:2", { v: 1, relayId: 5 }], ["pinned:acct:1", { v: 1, relayId: 2 }]]);
    deleteVersioned(kv, "pinned:acct:1", RELAY_PIN);
    expect([...m.keys()]).toEqual(["pinned:acct:2"]);
  });
});

describe("the previous release's one account object per phone, in a user's binding and the phone object", () => {
  const shared = (key: string) => stored(tasks.objects.ACCOUNTS, key);

  it("its session, today's usage and the video lock load into today's formats", () => {
    expect(load(SESSION_RECORD, shared("session"))).toMatchObject({ ok: true, from: 0, value: { v: 2, logins: expect.any(Array), risk: null } });
    expect(load(USAGE_RECORD, shared("usage"))).toMatchObject({
      ok: true, from: 0, value: { v: 2, day: "2027-12-07", seconds: 0, streakMs: 0, breakUntil: null, boundSeconds: 0, latest: false },
    });
    expect(load(LOCK_RECORD, shared("lock"))).toMatchObject({ ok: true, from: 0, value: { v: 1, holder: 3, queue: [4], contestedSince: null } });
  });

  it("limits as that release kept them, without breaks, take the longest stretch (reads keep it within the rules)", () => {
    const old = { windowStart: "07:00", windowEnd: "22:00", dailyCapMinutes: 600, videoGapSeconds: 10, videoGapJitterSeconds: 5 };
    expect(load(LIMITS_RECORD, old)).toMatchObject({ ok: true, value: { ...old, v: 2, breakAfterMinutes: Number.MAX_SAFE_INTEGER } });
  });

  it("a record of a later release, or a damaged one, is a failure, not today's", () => {
    expect(load(SESSION_RECORD, { v: 3, jar: null })).toMatchObject({ ok: false, failure: { kind: "newer", version: 3 } });
    expect(load(USAGE_RECORD, { v: 2, day: "2027-12-07" })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
    expect(load(REFUSALS_RECORD, { v: 2, at: ["x"] })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });
});

describe("the relay object's records that main kept before versions reached them", () => {
  it("a refusal for the protocol, and the owner (a bare user id, now under its own key)", () => {
    expect(load(RELAY_OUTDATED, { version: "0.1.0", protocol: 1, at: 5 })).toMatchObject({ ok: true, from: 0, value: { v: 1, version: "0.1.0", protocol: 1 } });
    const m = new Map<string, unknown>([["user", 7]]);
    const kv = { get: <T>(k: string) => m.get(k) as T | undefined, put: (k: string, v: unknown) => void m.set(k, v), delete: (k: string) => m.delete(k) } as unknown as SyncKvStorage;
    expect(getVersioned(kv, "owner", RELAY_OWNER)).toEqual({ v: 1, userId: 7 });
    putVersioned(kv, "owner", RELAY_OWNER, { userId: 7 });
    expect([...m]).toEqual([["owner", { v: 1, userId: 7 }]]);
  });
});

describe("the records of a QR login (no password anywhere)", () => {
  it("a session a scan opened (verifier qr) and one found ended (told once) load; a damaged mark is a failure", () => {
    const session = { v: 2, jar: "sealed", verifier: "qr", logins: [], risk: null };
    expect(load(SESSION_RECORD, session)).toMatchObject({ ok: true, value: { verifier: "qr" } });
    expect(load(SESSION_RECORD, { ...session, verifier: null, qrLost: 1_800_000_000_000 })).toMatchObject({ ok: true, value: { qrLost: 1_800_000_000_000 } });
    expect(load(SESSION_RECORD, { ...session, qrLost: "yes" })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });

  it("the code being scanned loads; a later release's or a damaged one is not taken for today's", () => {
    const pending = { v: 1, uuid: "u", enc: "e", jar: "sealed", expiresAt: 5 };
    expect(load(QR_PENDING_RECORD, pending)).toMatchObject({ ok: true, value: pending });
    expect(load(QR_PENDING_RECORD, { ...pending, v: 2 })).toMatchObject({ ok: false, failure: { kind: "newer", version: 2 } });
    expect(load(QR_PENDING_RECORD, { ...pending, jar: null })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });

  it("a task of a QR-bound account keeps its phone and no sealed password", () => {
    const records = (dumps: { kv: unknown[][] }[]) => dumps.flatMap((d) => d.kv).map(([, v]) => v as Record<string, unknown>);
    const task = records(tasks.objects.TASKS).find((v) => v.creds)!;
    const qrTask = { ...structuredClone(task), creds: { phone: "13800000000", sealedPassword: null } };
    expect(load(TASK_RECORD, qrTask)).toMatchObject({ ok: true, value: { creds: { phone: "13800000000", sealedPassword: null } } });
    expect(load(TASK_RECORD, { ...qrTask, creds: { phone: "13800000000" } })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });
});
