/* Workbench.live: the pages' sockets. One reconnect rule for all: capped exponential back-off
   with jitter (1 s doubling up to 15 s, each wait drawn in its upper half), reset once a socket
   opens; 4401 (signed out) and 4403 (may not see it) end the loop. Sockets carry ids only; what
   was missed while a socket was down is caught up on reconnect:
   - a review's channel numbers its events (`seq`): an old one is dropped, a gap or a reconnect
     fetches /api/v1/reviews/{id}/events/?after=<seq> (every page of it) and plays it in order;
   - other channels give `onReconnect`, where the page fetches again what it shows.
   Needs lib/api.js. */
(function () {
  "use strict";
  var W = window.Workbench = window.Workbench || {};
  var FIRST = 1000, CAP = 15000;

  function wait(attempt) {
    var ceiling = Math.min(CAP, FIRST * Math.pow(2, attempt));
    return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
  }

  /* connect({path, onMessage, onStatus, onReconnect, seq, events}) -> {catchUp, seq}
     seq: the last seq the page shows (a number), or null when the page does not know it (the
     first event sets it); leave it out for a channel without seq. events(after): the URL of the
     events after `after`. onStatus(live) is told false at once, true on open, false on close. */
  function connect(options) {
    var ordered = options.seq !== undefined;
    var seq = ordered ? options.seq : null;
    var attempt = 0, everOpen = false, catching = null, again = false;
    var onStatus = options.onStatus || function () {};

    function deliver(message) {
      try { options.onMessage(message); } catch (error) { if (window.console) { console.error(error); } }
    }

    function handle(message) {
      if (ordered) {
        if (typeof message.seq !== "number" || (seq !== null && message.seq <= seq)) { return; }
        seq = message.seq;
      }
      deliver(message);
    }

    function catchUp() {
      if (!ordered || !options.events || seq === null) { return Promise.resolve(); }
      if (catching) { again = true; return catching; }
      function page(url) {
        return W.api.get(url).then(function (result) {
          if (!result.ok) { throw new Error("events " + result.status); }
          (result.data.results || []).forEach(handle);
          if (result.data.next) { return page(result.data.next); }
        });
      }
      catching = page(options.events(seq))
        .catch(function () {})
        .then(function () {
          catching = null;
          if (again) { again = false; return catchUp(); }
        });
      return catching;
    }

    function retry() {
      setTimeout(open, wait(attempt));
      attempt += 1;
    }

    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket;
      try { socket = new WebSocket(scheme + location.host + options.path); }
      catch (error) { onStatus(false); retry(); return; }
      socket.onopen = function () {
        attempt = 0;
        onStatus(true);
        if (everOpen || (seq !== null && seq > 0)) { catchUp(); }
        if (everOpen && options.onReconnect) { options.onReconnect(); }
        everOpen = true;
      };
      socket.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (error) { return; }
        if (ordered && seq !== null && typeof message.seq === "number" && message.seq > seq + 1) { catchUp(); return; }
        handle(message);
      };
      socket.onclose = function (event) {
        onStatus(false);
        if (event.code === 4401 || event.code === 4403) { return; }
        retry();
      };
    }

    onStatus(false);
    open();
    return { catchUp: catchUp, seq: function () { return seq; } };
  }

  // The channel of review `reviewId`, caught up from its events endpoint.
  function review(reviewId, seq, onMessage, onStatus, onReconnect) {
    return connect({
      path: "/ws/reviews/" + reviewId + "/",
      seq: seq,
      events: function (after) { return "/api/v1/reviews/" + reviewId + "/events/?page_size=200&after=" + after; },
      onMessage: onMessage,
      onStatus: onStatus,
      onReconnect: onReconnect
    });
  }

  /* An onStatus that shows the socket's state on `el`: data-state live|paused and the text of
     its data-live / data-paused; withClass also toggles the class "paused". No el: nothing. */
  function status(el, withClass) {
    return function (live) {
      if (!el) { return; }
      if (withClass) { el.classList.toggle("paused", !live); }
      el.dataset.state = live ? "live" : "paused";
      el.textContent = live ? (el.dataset.live || "") : (el.dataset.paused || "");
    };
  }

  W.live = { connect: connect, review: review, status: status, wait: wait };
})();
