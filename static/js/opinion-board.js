/* The secretariat's progress board: any opinion, presence or panel event refreshes the
   server-rendered board (the socket carries ids only; the page fetches with its own rights).
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  var WATCH = { "opinion.saved": 1, "opinion.submitted": 1, "presence": 1, "assignment.changed": 1 };
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (!board) { return; }
    var pending = null;
    function refresh() {
      if (pending) { return; }
      pending = W.api.getHTML(board.dataset.fragment)
        .then(function (html) { if (html !== null) { board.innerHTML = html; board.dataset.refreshed = String(Date.now()); } })
        .then(function () { pending = null; });
    }
    W.live.review(board.dataset.review, Number(board.dataset.seq || 0), function (message) {
      if (WATCH[message.type]) { refresh(); }
    }, W.live.status(document.getElementById("live-status"), true));
    setInterval(refresh, 60000);  // "time left" moves on even when nothing happens
  });
})();
