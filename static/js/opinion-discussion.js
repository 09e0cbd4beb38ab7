/* Meeting mode: the thread grows live (comment.created → fetch what is new), and every reader
   follows the chair's "now discussing" marker (discussion.moved).
   Needs lib/api.js, lib/live.js. */
(function () {
  "use strict";
  var W = window.Workbench;
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("discussion");
    if (!root) { return; }
    var reviewId = root.dataset.review;
    var list = document.getElementById("comments");
    var last = Number(list.dataset.last || 0);
    var api = "/api/v1/reviews/" + reviewId + "/";
    var sections = Array.prototype.map.call(root.querySelectorAll(".block[data-section]"), function (b) { return b.dataset.section; });
    var nowLine = root.querySelector(".now-line");

    function mark(section) {
      root.dataset.section = section || "";
      root.querySelectorAll(".block.now").forEach(function (b) { b.classList.remove("now"); });
      var block = section ? document.getElementById(section) : null;
      nowLine.textContent = section ? nowLine.dataset.label + " §" + section : "";
      var select = document.getElementById("id_section");
      if (select && section) { select.value = section; }  // comments default to the section under discussion
      if (block) {
        block.classList.add("now");
        block.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }

    function addComment(c) {
      if (c.id <= last) { return; }
      last = c.id;
      var li = document.createElement("li");
      li.dataset.comment = c.id;
      if (c.dissent) { li.className = "dissent"; }
      var who = document.createElement("strong");
      who.textContent = c.author_name;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + W.api.hhmm(new Date(c.created_at)) + (c.section ? " §" + c.section : "");
      var text = document.createElement("p");
      text.className = "pre";
      text.textContent = c.text;
      li.appendChild(who);
      li.appendChild(meta);
      if (c.dissent) {
        var badge = document.createElement("span");
        badge.className = "badge warn";
        badge.textContent = list.dataset.labelDissent;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(badge);
      }
      li.appendChild(text);
      list.appendChild(li);
    }

    function fetchComments() {
      return W.api.getJSON(api + "comments/?page_size=200&after=" + last)
        .then(function (data) { ((data || {}).results || []).forEach(addComment); });
    }

    function move(section) {
      root.dataset.section = section;  // a second tap before the answer moves on from here
      W.api.put(api + "discussion/", { section: section }).then(function (r) { if (r.ok) { mark(section); } });
    }

    if (root.dataset.chair === "1") {
      root.querySelectorAll("[data-discuss]").forEach(function (button) {
        button.addEventListener("click", function () { move(button.dataset.discuss); });
      });
      function step(delta) {
        var index = sections.indexOf(root.dataset.section);
        var next = Math.max(0, Math.min(sections.length - 1, index + delta));
        if (index === -1) { next = 0; }
        if (sections[next] !== undefined) { move(sections[next]); }
      }
      document.getElementById("marker-next").addEventListener("click", function () { step(1); });
      document.getElementById("marker-prev").addEventListener("click", function () { step(-1); });
    }

    var form = document.getElementById("comment-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var error = document.getElementById("comment-error");
        error.textContent = "";
        W.api.post(api + "comments/", {
          text: form.elements.text.value,
          section: form.elements.section.value,
          dissent: form.elements.dissent.checked
        }).then(function (r) {
          if (!r.json) { form.submit(); return; }  // not the API's answer: the form posts itself
          if (r.status === 201) { addComment(r.data); form.elements.text.value = ""; form.elements.dissent.checked = false; return; }
          error.textContent = W.api.errors(r.data);
        }, function () { form.submit(); });
      });
    }

    W.live.review(reviewId, Number(root.dataset.seq || 0), function (message) {
      if (message.type === "comment.created") { fetchComments(); }
      if (message.type === "discussion.moved" || message.type === "agenda.moved") { mark(message.section); }
    }, W.live.status(document.getElementById("live-status"), true));
  });
})();
