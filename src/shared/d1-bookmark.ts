/**
 * The D1 Sessions bookmark travels in this header: the API answers with the newest one it saw
 * (src/db/session.ts) and the dashboard sends it back (web/src/api/bookmark.ts), so a user reads their
 * own writes even from a replica.
 */
export const BOOKMARK_HEADER = "X-D1-Bookmark";
