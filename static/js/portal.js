// Small plain JS for the portal shell: a live connection to the user's own channel.
(function () {
  "use strict";
  function connect(path, onMessage, statusEl) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var retry = 1000;
    function open() {
      var socket = new WebSocket(scheme + location.host + path);
      socket.onopen = function () {
        retry = 1000;
        if (statusEl) { statusEl.classList.remove("paused"); statusEl.textContent = statusEl.dataset.live || ""; }
      };
      socket.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        if (event.code === 4401 || event.code === 4403) { return; }
        if (statusEl) { statusEl.classList.add("paused"); statusEl.textContent = statusEl.dataset.paused || ""; }
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 30000);
      };
    }
    open();
  }
  window.Workbench = { connect: connect };
  document.addEventListener("DOMContentLoaded", function () {
    var badge = document.querySelector("[data-notifications]");
    if (!badge) { return; }
    connect("/ws/notifications/", function (message) {
      if (message.type !== "notification.created") { return; }
      var count = parseInt(badge.dataset.count || "0", 10) + 1;
      badge.dataset.count = String(count);
      badge.textContent = badge.dataset.label.replace("%s", count);
      badge.hidden = false;
    });
  });
})();
