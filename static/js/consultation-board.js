/* The live board of a consultation: /ws/consultations/{id}/ says an answer was saved or
   submitted (ids only); the page fetches its answers part again with its own rights. */
(function () {
  "use strict";
  var WATCH = { "answer.submitted": 1, "answer.saved": 1, "consultation.state_changed": 1 };
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("answers");
    var statusEl = document.getElementById("live-status");
    if (!board) { return; }
    var pending = null, retry = 1000;
    function status(live) {
      if (!statusEl) { return; }
      statusEl.dataset.state = live ? "live" : "paused";
      statusEl.textContent = live ? (statusEl.dataset.live || "") : (statusEl.dataset.paused || "");
    }
    function refresh() {
      if (pending) { return; }
      pending = fetch(board.dataset.fragment, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { board.innerHTML = html; board.dataset.refreshed = String(Date.now()); } })
        .catch(function () {})
        .then(function () { pending = null; });
    }
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + "/ws/consultations/" + board.dataset.consultation + "/");
      socket.onopen = function () { retry = 1000; status(true); };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (WATCH[message.type]) { refresh(); }
      };
      socket.onclose = function (event) {
        status(false);
        if (event.code === 4401 || event.code === 4403) { return; }
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
        refresh();  // catch up on what was missed while the socket was down
      };
    }
    status(false);
    open();
  });
})();
