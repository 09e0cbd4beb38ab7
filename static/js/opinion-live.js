/* The review's live channel for the opinion pages: /ws/reviews/{id}/ says what changed (ids
   only); a gap in `seq`, or a reconnect, is filled from /api/v1/reviews/{id}/events/?after=.
   When the socket is down the page says live updates are paused; saving goes over HTTP anyway. */
(function () {
  "use strict";

  function connect(reviewId, lastSeq, onEvent, statusEl) {
    var seq = lastSeq || 0;
    var retry = 1000;
    var catching = null;
    var everOpen = false;

    function status(live) {
      if (!statusEl) { return; }
      statusEl.classList.toggle("paused", !live);
      statusEl.dataset.state = live ? "live" : "paused";
      statusEl.textContent = live ? (statusEl.dataset.live || "") : (statusEl.dataset.paused || "");
    }

    function handle(message) {
      if (typeof message.seq !== "number" || message.seq <= seq) { return; }
      seq = message.seq;
      try { onEvent(message); } catch (error) { if (window.console) { console.error(error); } }
    }

    function catchUp() {
      if (catching) { return catching; }
      function page(url) {
        return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { if (!r.ok) { throw new Error("events " + r.status); } return r.json(); })
          .then(function (data) {
            data.results.forEach(handle);
            if (data.next) { return page(data.next); }
          });
      }
      catching = page("/api/v1/reviews/" + reviewId + "/events/?page_size=200&after=" + seq)
        .catch(function () {})
        .then(function () { catching = null; });
      return catching;
    }

    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket;
      try { socket = new WebSocket(scheme + location.host + "/ws/reviews/" + reviewId + "/"); }
      catch (error) { status(false); setTimeout(open, retry); return; }
      socket.onopen = function () {
        retry = 1000;
        status(true);
        if (everOpen || seq > 0) { catchUp(); }
        everOpen = true;
      };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (typeof message.seq === "number" && message.seq > seq + 1) { catchUp(); return; }
        handle(message);
      };
      socket.onclose = function (event) {
        status(false);
        if (event.code === 4401 || event.code === 4403) { return; }
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      };
    }

    status(false);
    open();
    return { catchUp: catchUp, seq: function () { return seq; } };
  }

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function shanghaiTime(date) {
    try {
      return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai" })
        .format(date);
    } catch (error) {
      return date.toTimeString().slice(0, 5);
    }
  }

  window.OpinionLive = { connect: connect, csrf: csrf, shanghaiTime: shanghaiTime };
})();
