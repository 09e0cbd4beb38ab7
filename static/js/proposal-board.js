/* The secretariat's proposal board: /ws/board/ says a proposal arrived or changed (ids only);
   the rows are fetched again from the server with the secretariat's own rights. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("proposal-board");
    var status = document.getElementById("board-live");
    if (!board) { return; }
    var pending = null;
    function refresh() {
      if (pending) { return; }
      pending = fetch(board.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { board.innerHTML = html; } })
        .catch(function () {})
        .then(function () { pending = null; });
    }
    var retry = 1000;
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + "/ws/board/");
      socket.onopen = function () {
        retry = 1000;
        if (status) { status.dataset.state = "live"; status.textContent = status.dataset.live; }
      };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (message.type && message.type.indexOf("proposal.") === 0) { refresh(); }
      };
      socket.onclose = function (event) {
        if (status) { status.dataset.state = "paused"; status.textContent = status.dataset.paused; }
        if (event.code === 4401 || event.code === 4403) { return; }
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      };
    }
    open();
  });
})();
