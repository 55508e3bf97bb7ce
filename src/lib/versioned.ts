/**
 * Stored records that outlive a release: a Durable Object keeps what one version wrote, and the next
 * version reads it (the runtime keeps an object's storage across deploys and rollbacks). So every record
 * carries the version of its format, `v`, and each format lists the upgrade steps from every earlier
 * version, in order. Loading runs the steps the record still needs, checks the result, and answers a
 * typed failure instead of throwing, so the caller decides what a record it cannot read means (a task
 * fails with a reason; a cache starts empty).
 *
 * Adopting it for a record: describe the format (`versions`), write with `stamp`, read with `load`.
 * A new field with a default or a renamed one is one more step; the record's type names the current `v`.
 */

/** A record as read from storage, before anything is known of it. */
export type Raw = unknown;

export type LoadFailure =
  /** Not the shape any version had, or an upgrade step could not make sense of it. */
  | { kind: "corrupt"; detail: string }
  /** Written by a later release than this one (this one was rolled back to): left as it is. */
  | { kind: "newer"; version: number };

export type Loaded<T> = { ok: true; value: T; from: number } | { ok: false; failure: LoadFailure };

export interface RecordFormat<T> {
  /** What the record is, for messages and logs. */
  name: string;
  /**
   * `steps[i]` turns a record of version `i` into one of version `i + 1`; the current version is
   * `steps.length`. A step may throw (a TypeError on a field that is not there): that is a corrupt record.
   */
  steps: ReadonlyArray<(r: Raw) => Raw>;
  /**
   * The version of a stored record: its `v`. Records written before formats had versions have none;
   * a format whose unversioned records came in several shapes tells them apart here.
   */
  versionOf?: (r: Raw) => number | null;
  /** Why a record of the current version cannot be used, or null when it can. */
  check(r: Record<string, unknown>): string | null;
  /**
   * Where records of version 0 were kept, when the versioned ones took other keys (`now` is a prefix of
   * today's keys, `was` of the old ones): a release from before versions, run again by a rollback, reads
   * and writes only its own keys, so it never meets a shape it does not know. Read from there while the new
   * key is missing; the old key is removed when the new one is written.
   */
  moved?: { was: string; now: string };
}

export const isObject = (r: Raw): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r);

/** The version of `r`: its `v` when it has one; records from before versions are version 0. */
function defaultVersionOf(r: Raw): number | null {
  if (!isObject(r) || !("v" in r)) return 0;
  return Number.isInteger(r.v) && (r.v as number) >= 0 ? (r.v as number) : null;
}

export const currentVersion = (f: RecordFormat<unknown>): number => f.steps.length;

/** Reads a stored record into the current version of its format, or says why it cannot. */
export function load<T>(f: RecordFormat<T>, raw: Raw): Loaded<T> {
  const current = currentVersion(f);
  const from = (f.versionOf ?? defaultVersionOf)(raw);
  if (from === null) return { ok: false, failure: { kind: "corrupt", detail: `${f.name}: no readable version` } };
  if (from > current) return { ok: false, failure: { kind: "newer", version: from } };
  let r = raw;
  try {
    for (let v = from; v < current; v++) r = f.steps[v]!(r);
  } catch (e) {
    return { ok: false, failure: { kind: "corrupt", detail: `${f.name} v${from}: ${e instanceof Error ? e.message : String(e)}` } };
  }
  if (!isObject(r)) return { ok: false, failure: { kind: "corrupt", detail: `${f.name} v${from}: not an object` } };
  const why = f.check(r);
  if (why) return { ok: false, failure: { kind: "corrupt", detail: `${f.name} v${from}: ${why}` } };
  r.v = current;
  return { ok: true, value: r as T, from };
}

/** The record as it is written: marked with the current version of its format. */
export function stamp<T extends object>(f: RecordFormat<T>, value: T): T & { v: number } {
  return Object.assign(value, { v: currentVersion(f) });
}

/** For `check`: the first of `fields` whose value fails its test, named, or null. */
export function firstBad(r: Record<string, unknown>, fields: Record<string, (v: unknown) => boolean>): string | null {
  for (const [name, ok] of Object.entries(fields)) if (!ok(r[name])) return `${name} is ${JSON.stringify(r[name])?.slice(0, 40) ?? "undefined"}`;
  return null;
}

/** Tests for `firstBad`. */
export const is = {
  int: (v: unknown): boolean => Number.isInteger(v),
  num: (v: unknown): boolean => typeof v === "number" && Number.isFinite(v),
  str: (v: unknown): boolean => typeof v === "string",
  arr: (v: unknown): boolean => Array.isArray(v),
  obj: (v: unknown): boolean => isObject(v),
  nullable: (t: (v: unknown) => boolean) => (v: unknown): boolean => v === null || t(v),
  oneOf: (...values: readonly unknown[]) => (v: unknown): boolean => values.includes(v),
};

/** The key a record of version 0 had, for a key of today (see `moved`). */
const legacyKey = (f: RecordFormat<unknown>, key: string): string | null =>
  f.moved && key.startsWith(f.moved.now) ? f.moved.was + key.slice(f.moved.now.length) : null;

/**
 * For records whose loss costs little (a registry that heals, a counter): the value at `key` in its current
 * version, or undefined when there is none or it cannot be used (logged; the next write replaces it).
 */
export function getVersioned<T>(kv: SyncKvStorage, key: string, f: RecordFormat<T>): T | undefined {
  const old = legacyKey(f, key);
  const raw = kv.get<unknown>(key) ?? (old === null ? undefined : kv.get<unknown>(old));
  if (raw === undefined) return undefined;
  const loaded = load(f, raw);
  if (loaded.ok) return loaded.value;
  console.warn(`${key}: ${f.name} not loaded`, loaded.failure);
  return undefined;
}

/** Every entry under `prefix` that loads (see `getVersioned`), old keys read as today's. */
export function listVersioned<T>(kv: SyncKvStorage, prefix: string, f: RecordFormat<T>): [string, T][] {
  const keys = new Set([...kv.list({ prefix })].map(([k]) => k));
  const oldPrefix = legacyKey(f, prefix);
  if (oldPrefix !== null) for (const [k] of kv.list({ prefix: oldPrefix })) keys.add(prefix + k.slice(oldPrefix.length));
  const out: [string, T][] = [];
  for (const key of keys) {
    const value = getVersioned(kv, key, f);
    if (value !== undefined) out.push([key, value]);
  }
  return out;
}

export function putVersioned<T extends object>(kv: SyncKvStorage, key: string, f: RecordFormat<T>, value: T): void {
  kv.put(key, stamp(f, value));
  const old = legacyKey(f, key);
  if (old !== null) kv.delete(old);
}

export function deleteVersioned(kv: SyncKvStorage, key: string, f: RecordFormat<unknown>): void {
  kv.delete(key);
  const old = legacyKey(f, key);
  if (old !== null) kv.delete(old);
}
