/* The secretariat's progress board: any opinion, presence or panel event refreshes the
   server-rendered board (the socket carries ids only; the page fetches with its own rights). */
(function () {
  "use strict";
  var WATCH = { "opinion.saved": 1, "opinion.submitted": 1, "presence": 1, "assignment.changed": 1 };
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (!board) { return; }
    var pending = null;
    function refresh() {
      if (pending) { return; }
      pending = fetch(board.dataset.fragment, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { board.innerHTML = html; board.dataset.refreshed = String(Date.now()); } })
        .catch(function () {})
        .then(function () { pending = null; });
    }
    window.OpinionLive.connect(board.dataset.review, Number(board.dataset.seq || 0), function (message) {
      if (WATCH[message.type]) { refresh(); }
    }, document.getElementById("live-status"));
    setInterval(refresh, 60000);  // "time left" moves on even when nothing happens
  });
})();
