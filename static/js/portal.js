// Small plain JS for the portal shell: a live connection to the user's own channel.
// Needs lib/api.js, lib/live.js.
(function () {
  "use strict";
  var W = window.Workbench;
  document.addEventListener("DOMContentLoaded", function () {
    var badge = document.querySelector("[data-notifications]");
    if (!badge || !W || !W.live) { return; }
    W.live.connect({
      path: "/ws/notifications/",
      onMessage: function (message) {
        if (message.type !== "notification.created") { return; }
        var count = parseInt(badge.dataset.count || "0", 10) + 1;
        badge.dataset.count = String(count);
        badge.textContent = badge.dataset.label.replace("%s", count);
        badge.hidden = false;
      }
    });
  });
})();
