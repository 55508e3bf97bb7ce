/**
 * D1 read replication (src/db/session.ts): the database sits in one region, so a nearby replica answers
 * the reads of a student far from it. Every API answer carries the D1 Sessions bookmark of what it read or
 * wrote; sent back on the next request, it makes that request read from a replica at least that new, so
 * a user always sees their own writes. Kept in sessionStorage: per tab, and gone with it (a new tab
 * starts from whatever replica is nearest, like any first visit).
 */
import type { Middleware } from "openapi-fetch";
// Relative, not @shared: the root typecheck sees this file through its test (test/node/bookmark.test.ts).
import { BOOKMARK_HEADER } from "../../../src/shared/d1-bookmark";

const KEY = "cx.d1-bookmark";

export function bookmarkMiddleware(store: Pick<Storage, "getItem" | "setItem">): Middleware {
  return {
    onRequest({ request }) {
      const bookmark = store.getItem(KEY);
      if (bookmark) request.headers.set(BOOKMARK_HEADER, bookmark);
      return request;
    },
    onResponse({ response }) {
      const bookmark = response.headers.get(BOOKMARK_HEADER);
      if (bookmark) store.setItem(KEY, bookmark);
      return response;
    },
  };
}
