/* The live board of a consultation: /ws/consultations/{id}/ says an answer was saved or
   submitted (ids only); the page fetches its answers part again with its own rights, and again
   after a reconnect for what was missed meanwhile. Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  var WATCH = { "answer.submitted": 1, "answer.saved": 1, "consultation.state_changed": 1 };
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("answers");
    if (!board) { return; }
    var pending = null;
    function refresh() {
      if (pending) { return; }
      pending = W.api.getHTML(board.dataset.fragment)
        .then(function (html) { if (html !== null) { board.innerHTML = html; board.dataset.refreshed = String(Date.now()); } })
        .then(function () { pending = null; });
    }
    W.live.connect({
      path: "/ws/consultations/" + board.dataset.consultation + "/",
      onMessage: function (message) { if (WATCH[message.type]) { refresh(); } },
      onStatus: W.live.status(document.getElementById("live-status")),
      onReconnect: refresh
    });
  });
})();
