// The first request a page makes for itself, before the app's own code has arrived (a classic async
// script, so it runs as soon as it is here): on a phone on a slow line the route's code and its data are
// asked for in the same round trip as the app's first files, instead of after them. index.html carries the
// route map (id="cx-routes", written at build time: each page's chunk files). The app takes the answers
// from window.__cxEarly (web/src/api/early.ts); nothing else reads them.
(function () {
  var map;
  try {
    map = JSON.parse(document.getElementById("cx-routes").textContent);
  } catch (e) {
    return;
  }
  var path = location.pathname;
  var token = localStorage.getItem("cx.token");
  var saved = localStorage.getItem("cx.lang");
  var lang = saved === "zh" || saved === "en" ? saved : navigator.language.toLowerCase().indexOf("en") === 0 ? "en" : "zh";
  var auth = { "/login": "login", "/register": "register", "/forgot-password": "forgot", "/reset-password": "reset", "/verify-email": "verify" };
  var pages = [lang];
  var reads = [];
  var task = /^\/tasks\/(\d+)$/.exec(path);
  if (auth[path]) pages.push("auth", auth[path]);
  else if (token) {
    pages.push("app");
    reads.push("/api/auth/me");
    if (task) {
      pages.push("task");
      reads.push("/api/tasks/" + task[1]);
    } else if (path === "/courses") {
      pages.push("courses");
      reads.push("/api/courses/list");
    } else if (path === "/") {
      pages.push("overview");
      reads.push("/api/user/config", "/api/user/profile");
    } else if (path === "/tasks") pages.push("tasks");
    else if (path === "/settings") pages.push("settings");
  }
  // The data first: the browser opens six connections to a host (HTTP/1.1), so what is asked first goes first.
  if (token && navigator.onLine) {
    var headers = { Authorization: "Bearer " + token };
    var bookmark = sessionStorage.getItem("cx.d1-bookmark");
    if (bookmark) headers["X-D1-Bookmark"] = bookmark;
    var early = (window.__cxEarly = {});
    reads.forEach(function (p) {
      var url = new URL(p, location.origin).href;
      var res = fetch(url, { headers: headers });
      // Handled here too: an answer the app never takes must not report an unhandled rejection.
      res.catch(function () {});
      early[url] = { auth: headers.Authorization, at: Date.now(), res: res };
    });
  }
  var seen = {};
  pages.forEach(function (p) {
    (map[p] || []).forEach(function (file) {
      if (seen[file]) return;
      seen[file] = true;
      var link = document.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "";
      link.href = file;
      document.head.appendChild(link);
    });
  });
})();
