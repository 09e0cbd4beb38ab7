/* The consolidation reading view: the group opinion editor saves over the API with If-Match
   (a stale save gets 409 and the other text is shown beside one's own, never lost); the review's
   channel tells of saves, confirmations, answers and who is here; documents show progress.
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  var root = document.getElementById("consolidation");
  if (!root || !W || !W.live) { return; }
  var reviewId = root.dataset.review;
  var version = parseInt(root.dataset.version, 10) || 0;
  var api = "/api/v1/reviews/" + reviewId + "/consolidation/";
  var form = document.getElementById("group-form");
  var text = document.getElementById("group-text");
  var notice = document.getElementById("group-notice");
  var saved = text ? text.value : "";

  function say(message) {
    if (!notice) { return; }
    notice.hidden = !message;
    notice.textContent = message || "";
  }

  function setVersion(v) {
    version = v;
    var input = document.getElementById("group-version-input");
    if (input) { input.value = v; }
    var shown = document.getElementById("group-version");
    if (shown) { shown.textContent = v; }
  }

  function refreshParts() {
    return W.api.getHTML(location.pathname)
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["confirmations", "group-text-read", "answers-meta"].forEach(function (id) {
          var mine = document.getElementById(id);
          var theirs = doc.getElementById(id);
          if (mine && theirs) { mine.innerHTML = theirs.innerHTML; }
        });
        var points = document.getElementById("h-points");
        if (points && !document.activeElement.closest(".answer-form")) {
          var fresh = doc.getElementById("h-points");
          if (fresh) { points.parentNode.innerHTML = fresh.parentNode.innerHTML; }
        }
      })
      .catch(function () {});
  }

  function fetchCurrent() {
    return W.api.getJSON(api);
  }

  function showTheirs(current) {
    var box = document.getElementById("theirs");
    if (!box) { return; }
    document.getElementById("theirs-text").textContent = current.group_opinion;
    box.hidden = false;
  }

  function onSaved(message) {
    if (typeof message.version === "number" && message.version > version && text) {
      fetchCurrent().then(function (current) {
        if (!current) { return; }
        if (text.value === saved) {
          text.value = saved = current.group_opinion;
          setVersion(current.version);
          say(root.dataset.updated || "");
        } else {
          // keep our version: the next save gets 409 and only then goes over theirs, knowingly
          showTheirs(current);
          say(text.dataset.conflict || "");
        }
      });
    }
    refreshParts();
  }

  function onEvent(message) {
    if (message.type === "presence") {
      var here = document.getElementById("presence");
      if (here) { here.textContent = (here.dataset.label || "") + " " + (message.users || []).length; }
    } else if (message.type === "consolidation.saved" || message.type === "response.saved") {
      onSaved(message);
    }
  }

  W.live.review(reviewId, parseInt(root.dataset.seq, 10) || 0, onEvent, W.live.status(document.getElementById("live-status"), true));

  if (form && text) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reason = document.getElementById("group-reason");
      var body = { group_opinion: text.value, reason: reason ? reason.value : "" };
      var sent = text.value;
      W.api.put(api, body, version).then(function (result) {
        if (!result.json) { throw new Error("not the API's answer"); }
        if (result.status === 200) {
          saved = sent;
          setVersion(result.data.version);
          document.getElementById("theirs").hidden = true;
          say(form.dataset.saved || "");
        } else if (result.status === 409 && result.data.current) {
          setVersion(result.data.version);
          showTheirs(result.data.current);
          say(result.data.detail);
        } else {
          say(W.api.errors(result.data));
        }
      }).catch(function () { say(form.dataset.offline || ""); });
    });
  }

  // documents: ask for the document, show its progress until it is ready, then download
  Array.prototype.forEach.call(document.querySelectorAll(".doc-link"), function (link) {
    link.addEventListener("click", function (event) {
      var item = link.parentNode;
      var bar = item.querySelector("progress");
      var state = item.querySelector(".doc-state");
      event.preventDefault();
      function poll() {
        fetch(link.dataset.status, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            bar.hidden = data.state === "done";
            bar.value = data.progress;
            state.textContent = data.state === "failed" ? (item.dataset.failed || "failed") : "";
            if (data.state === "done") { location.href = link.href; }
            else if (data.state !== "failed") { setTimeout(poll, 1000); }
          })
          .catch(function () { location.href = link.href; });
      }
      poll();
    });
  });
})();
