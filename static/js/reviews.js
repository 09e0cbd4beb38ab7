/* The review page and the invitation board: a countdown to the due date, and the panel's states
   kept fresh through /ws/reviews/{id}/ (the socket says what changed; details come over HTTP). */
(function () {
  "use strict";

  function countdown(el) {
    var due = new Date(el.dataset.countdown);
    function tick() {
      var left = due - new Date();
      if (left <= 0) { el.textContent = el.dataset.labelOver; return; }
      var minutes = Math.floor(left / 60000);
      var days = Math.floor(minutes / 1440);
      var hours = Math.floor((minutes % 1440) / 60);
      el.textContent = el.dataset.labelLeft + ": " + days + " " + el.dataset.labelDays + " " + hours + " " +
        el.dataset.labelHours + " " + (minutes % 60) + " " + el.dataset.labelMinutes;
    }
    tick();
    setInterval(tick, 30000);
  }

  function renderBoard(board, rows) {
    var labels = board.dataset.labels ? JSON.parse(board.dataset.labels) : {};
    board.textContent = "";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      li.dataset.assignment = row.id;
      var name = document.createElement("span");
      name.textContent = row.expert_name;
      var state = document.createElement("span");
      state.className = "meta state-" + row.state;
      state.dataset.testid = "assignment-state";
      state.setAttribute("data-testid", "assignment-state");
      state.textContent = labels[row.state] || row.state;
      li.appendChild(name);
      li.appendChild(state);
      board.appendChild(li);
    });
  }

  function live(reviewId, board) {
    var lastSeq = 0;
    function refresh() {
      fetch("/api/v1/reviews/" + reviewId + "/assignments/?page_size=200", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { renderBoard(board, data.results); } });
    }
    function connect() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + "/ws/reviews/" + reviewId + "/");
      socket.onopen = function () { board.dataset.live = "1"; };
      socket.onmessage = function (e) {
        var event = JSON.parse(e.data);
        lastSeq = event.seq;
        if (event.type === "assignment.changed") { refresh(); }
        if (event.type === "review.state_changed") {
          var state = document.querySelector("[data-testid=review-state]");
          if (state) { state.textContent = event.state; }
        }
      };
      socket.onclose = function (e) {
        board.dataset.live = "0";
        if (e.code !== 4403 && e.code !== 4401) { setTimeout(function () { refresh(); connect(); }, 3000); }
      };
    }
    connect();
    return function () { return lastSeq; };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(countdown);
    var holder = document.querySelector("[data-review]");
    var board = document.getElementById("panel-board");
    if (holder && board) { live(holder.dataset.review, board); }
  });
})();
