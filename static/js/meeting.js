/* The meeting page: the agenda's "now discussing", who is present and the vote follow the room
   live. Any agenda, attendance, vote or group opinion event refreshes the server-rendered part
   (the socket carries ids and counts only; the page fetches with its own rights).
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  var WATCH = { "agenda.moved": 1, "attendance.changed": 1, "vote.cast": 1, "consolidation.saved": 1 };
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("meeting-live");
    if (!root) { return; }
    var pending = null, again = false;
    function refresh() {
      if (pending) { again = true; return; }
      pending = W.api.getHTML(root.dataset.fragment)
        .then(function (html) { if (html !== null) { root.innerHTML = html; root.dataset.seen = String(Number(root.dataset.seen || 0) + 1); } })
        .then(function () { pending = null; if (again) { again = false; refresh(); } });
    }
    W.live.review(root.dataset.review, Number(root.dataset.seq || 0), function (message) {
      if (WATCH[message.type]) { refresh(); }
    }, W.live.status(document.getElementById("live-status"), true));
  });
})();
