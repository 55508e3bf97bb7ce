import { describe, expect, it } from "vitest";
import { firstBad, is, isObject, load, stamp, type RecordFormat } from "../../src/lib/versioned";

// A record that was a bare list (version 0), then an object (1), then gained a field with a default (2).
interface Slots {
  v: number;
  ids: number[];
  max: number;
}
const slots: RecordFormat<Slots> = {
  name: "slots",
  steps: [
    (r) => {
      if (!Array.isArray(r)) throw new TypeError("not a list");
      return { ids: r };
    },
    (r) => ({ ...(r as object), max: 3 }),
  ],
  check: (r) => firstBad(r, { ids: is.arr, max: is.int }),
};

describe("versioned records", () => {
  it("runs every step from the stored version to the current one, in order", () => {
    expect(load(slots, [4, 5])).toEqual({ ok: true, from: 0, value: { v: 2, ids: [4, 5], max: 3 } });
    expect(load(slots, { v: 1, ids: [4] })).toEqual({ ok: true, from: 1, value: { v: 2, ids: [4], max: 3 } });
    expect(load(slots, { v: 2, ids: [], max: 9 })).toEqual({ ok: true, from: 2, value: { v: 2, ids: [], max: 9 } });
  });

  it("answers a typed failure, never a throw, for what it cannot read", () => {
    expect(load(slots, "garbage")).toMatchObject({ ok: false, failure: { kind: "corrupt", detail: "slots v0: not a list" } });
    expect(load(slots, { v: 2, ids: "x", max: 3 })).toMatchObject({ ok: false, failure: { kind: "corrupt", detail: 'slots v2: ids is "x"' } });
    expect(load(slots, { v: -1 })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
    expect(load(slots, { v: "2" })).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
    expect(load(slots, null)).toMatchObject({ ok: false, failure: { kind: "corrupt" } });
  });

  it("leaves a record of a later release alone (after a rollback) and says which version it is", () => {
    const later = { v: 3, ids: [1], max: 3, more: true };
    expect(load(slots, later)).toEqual({ ok: false, failure: { kind: "newer", version: 3 } });
    expect(later).toEqual({ v: 3, ids: [1], max: 3, more: true });
  });

  it("a format may tell apart the shapes its unversioned records had", () => {
    const f: RecordFormat<Slots> = { ...slots, versionOf: (r) => (isObject(r) && "v" in r ? (r.v as number) : Array.isArray(r) ? 0 : 1) };
    expect(load(f, { ids: [7] })).toMatchObject({ ok: true, from: 1, value: { ids: [7], max: 3 } });
  });

  it("stamp writes the current version", () => {
    expect(stamp(slots, { v: 0, ids: [], max: 1 })).toEqual({ v: 2, ids: [], max: 1 });
  });
});
