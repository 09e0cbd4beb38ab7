/* The secretariat's proposal board: /ws/board/ says a proposal arrived or changed (ids only);
   the rows are fetched again from the server with the secretariat's own rights, and again after
   a reconnect for what was missed meanwhile.
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("proposal-board");
    if (!board) { return; }
    var pending = null;
    function refresh() {
      if (pending) { return; }
      pending = W.api.getHTML(board.dataset.url)
        .then(function (html) { if (html !== null) { board.innerHTML = html; } })
        .then(function () { pending = null; });
    }
    W.live.connect({
      path: "/ws/board/",
      onMessage: function (message) { if (message.type && message.type.indexOf("proposal.") === 0) { refresh(); } },
      onStatus: W.live.status(document.getElementById("board-live")),
      onReconnect: refresh
    });
  });
})();
