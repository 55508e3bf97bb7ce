import type { shell as zh } from "../zh/shell";

/** The frame every page shares: the app's name and error page, the menu, the live connection, offline and session notices, durations. */
export const shell: Record<keyof typeof zh, string> = {
  "app.name": "Chaoxing Helper",
  "app.free": "This software is completely free. If you paid for it, you were scammed.",
  "app.skip": "Skip to main content",
  "app.notFound": "Page not found",
  "app.back": "Back home",
  "app.forbidden": "Administrators only",
  "app.error": "Something went wrong",
  "app.retry": "Retry",

  "nav.overview": "Overview",
  "nav.courses": "Courses",
  "nav.tasks": "Tasks",
  "nav.settings": "Settings",
  "nav.profile": "Profile",
  "nav.admin": "Admin",
  "nav.adminOverview": "Admin overview",
  "nav.adminUsers": "Users",
  "nav.adminTasks": "All tasks",
  "nav.adminStats": "Statistics",
  "nav.adminDiagnostics": "Diagnostics",
  "nav.adminAudit": "Audit log",
  "nav.logout": "Sign out",
  "nav.menu": "Menu",
  "nav.theme": "Toggle light/dark theme",
  "nav.lang": "Language / 语言",

  "live.open": "Live connection OK",
  "live.connecting": "Connecting…",
  "live.reconnecting": "Disconnected, retrying in {s}s",
  "live.idle": "Not connected",
  "live.reconnectNow": "Reconnect now",

  "nav.relay": "Relay",

  "app.errorBody": "The page hit an unexpected error. Try again; if it keeps happening, send the details below to your admin.",
  "app.errorChunk": "A page file failed to load, maybe a new version was just released. Reload the page.",
  "app.errorDetails": "Error details",
  "app.more": "More actions",
  "app.showOriginal": "Show the server's original message (Chinese)",

  "common.id": "ID",

  "live.offline": "Offline",

  "offline.title": "You are offline",
  "offline.body": "Actions fail at once and are not sent later when the network returns; the progress shown may be out of date. The page reconnects by itself once you are back online.",
  "offline.socket": "The live connection dropped and is reconnecting; progress may be out of date",
  "offline.page": "This page has not been loaded yet and needs the network to open. It reloads by itself once you are back online.",

  "session.ended": "Your session has ended. Please sign in again.",
  "session.token_expired": "Your session expired. Please sign in again.",
  "session.token_revoked": "You were signed out elsewhere (or the session was revoked). Please sign in again.",
  "session.password_changed": "Your password was changed. Please sign in with the new one.",
  "session.account_disabled": "Your account was deactivated by an admin. Contact them if this is unexpected.",

  "time.seconds": "{s} s",
  "time.minutes": "about {m} min",
  "time.hours": "about {h} h {m} min",
  "offline.lastUpdated": "Last updated {when}: the server cannot be reached now, so this is how it was then (actions will fail)",
  "offline.refreshing": "Showing what was read at {when}; updating…",
};
