/* The commission's workspace: each open review's channel says when an opinion is sealed; the
   rows (tallies) are then fetched again from the server. Without JavaScript the page is whole. */
(function () {
  "use strict";
  var box = document.getElementById("workspace-rows");
  if (!box || !window.OpinionLive) { return; }
  var pending = null;

  function reload() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(box.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { box.innerHTML = html; } })
        .catch(function () {});
    }, 300);
  }

  Array.prototype.slice.call(box.querySelectorAll("[data-live='1']"), 0, 20).forEach(function (row) {
    window.OpinionLive.connect(row.dataset.review, 0, function (message) {
      if (message.type === "opinion.submitted" || message.type === "review.state_changed" ||
          message.type === "response.saved") { reload(); }
    }, null);
  });
})();
