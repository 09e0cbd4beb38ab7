/* The review page and the invitation board: a countdown to the due date, and the panel's states
   kept fresh through /ws/reviews/{id}/ (the socket says what changed; details come over HTTP).
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;

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
    function refresh() {
      W.api.getJSON("/api/v1/reviews/" + reviewId + "/assignments/?page_size=200")
        .then(function (data) { if (data) { renderBoard(board, data.results); } }, function () {});
    }
    // The page does not know the review's last seq: the first event gives it (then a reconnect
    // also plays the events missed); a reconnect fetches the panel again.
    var channel = W.live.review(reviewId, null, function (event) {
      if (event.type === "assignment.changed") { refresh(); }
      if (event.type === "review.state_changed") {
        var state = document.querySelector("[data-testid=review-state]");
        if (state) { state.textContent = event.state; }
      }
    }, function (open) { board.dataset.live = open ? "1" : "0"; }, refresh);
    return channel.seq;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(countdown);
    var holder = document.querySelector("[data-review]");
    var board = document.getElementById("panel-board");
    if (holder && board) { live(holder.dataset.review, board); }
  });
})();
