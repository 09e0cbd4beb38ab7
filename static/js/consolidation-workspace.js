/* The commission's workspace: each open review's channel says when an opinion is sealed; the
   rows (tallies) are then fetched again from the server. Without JavaScript the page is whole.
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  var box = document.getElementById("workspace-rows");
  if (!box || !W || !W.live) { return; }
  var pending = null;

  function reload() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      W.api.getHTML(box.dataset.url).then(function (html) { if (html !== null) { box.innerHTML = html; } });
    }, 300);
  }

  Array.prototype.slice.call(box.querySelectorAll("[data-live='1']"), 0, 20).forEach(function (row) {
    W.live.review(row.dataset.review, 0, function (message) {
      if (message.type === "opinion.submitted" || message.type === "review.state_changed" ||
          message.type === "response.saved") { reload(); }
    });
  });
})();
