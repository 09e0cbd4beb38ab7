/* Writing an opinion. Workbench.drafts keeps every change on this device at once and sends it a
   moment after typing stops (PUT with If-Match: the version it was based on); offline it waits for
   the network. A 409 opens the merge screen (Workbench.merge) with both versions: nothing typed is
   lost. After submission there are no autosaves: a change is an addendum with a reason.
   Needs lib/api.js, lib/live.js, lib/drafts.js, lib/merge.js. */
(function () {
  "use strict";
  var W = window.Workbench;

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("opinion-form");
    if (!form) { return; }
    var reviewId = form.dataset.review;
    var writable = form.dataset.writable === "1";
    var submitted = form.dataset.submitted === "1";
    var server = JSON.parse(document.getElementById("opinion-initial").textContent);
    var nextKey = 1;
    var points = [];
    var list = document.getElementById("points");
    var sectionOptions = document.getElementById("section-options");
    var panel = document.getElementById("merge");
    var rows = document.getElementById("merge-rows");

    // ------------------------------------------------------------ the form <-> data
    function renderPoints() {
      list.textContent = "";
      points.forEach(function (point, index) {
        var li = document.createElement("li");
        li.className = "point";
        li.dataset.key = point.key;
        var label = document.createElement("label");
        label.textContent = list.dataset.labelSection;
        var select = document.createElement("select");
        select.className = "point-section";
        var whole = document.createElement("option");
        whole.value = "";
        whole.textContent = list.dataset.labelWhole;
        select.appendChild(whole);
        select.appendChild(sectionOptions.content.cloneNode(true));
        select.value = point.section || "";
        select.disabled = !writable;
        label.appendChild(select);
        var text = document.createElement("textarea");
        text.className = "point-text";
        text.rows = 3;
        text.value = point.text || "";
        text.disabled = !writable;
        text.setAttribute("aria-label", list.dataset.labelText + " " + (index + 1));
        text.setAttribute("data-testid", "point-text");
        select.addEventListener("change", function () { point.section = select.value; autosave.changed(); });
        text.addEventListener("input", function () { point.text = text.value; autosave.changed(); });
        li.appendChild(label);
        li.appendChild(text);
        if (writable) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "remove-point";
          remove.textContent = list.dataset.labelRemove;
          remove.addEventListener("click", function () {
            points = points.filter(function (p) { return p !== point; });
            renderPoints();
            autosave.changed();
          });
          li.appendChild(remove);
        }
        var error = document.createElement("p");
        error.className = "error";
        error.dataset.errorFor = "points." + index;
        li.appendChild(error);
        list.appendChild(li);
      });
    }

    function state() {
      var scores = {};
      form.querySelectorAll("input[data-criterion]").forEach(function (input) {
        if (input.value !== "") { scores[input.dataset.criterion] = Number(input.value); }
      });
      var checked = form.querySelector("input[name=conclusion]:checked");
      return {
        conclusion: checked ? checked.value : "",
        scores: scores,
        summary: form.querySelector("[name=summary]").value,
        points: points.map(function (p) { return { id: p.id || null, section: p.section || "", text: p.text || "" }; })
      };
    }

    function setConclusion(value) {
      form.querySelectorAll("input[name=conclusion]").forEach(function (input) { input.checked = input.value === value; });
    }

    function setScores(scores) {
      form.querySelectorAll("input[data-criterion]").forEach(function (input) {
        var value = (scores || {})[input.dataset.criterion];
        input.value = value === undefined || value === null ? "" : value;
      });
    }

    function setPoints(list) {
      points = (list || []).map(function (p) {
        return { key: nextKey++, id: p.id || null, section: p.section || "", text: p.text || "" };
      });
      renderPoints();
    }

    function apply(data) {
      setConclusion(data.conclusion);
      setScores(data.scores);
      form.querySelector("[name=summary]").value = data.summary || "";
      setPoints(data.points);
    }

    function comparable(data) {
      return JSON.stringify([data.conclusion, data.scores, data.summary,
        (data.points || []).map(function (p) { return [p.section, p.text]; })]);
    }

    function showErrors(errors) {
      form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
      Object.keys(errors || {}).forEach(function (field) {
        var el = form.querySelector('[data-error-for="' + field + '"]');
        var value = errors[field];
        if (el) { el.textContent = Array.isArray(value) ? value.join(" ") : String(value); }
      });
    }

    // ------------------------------------------------------------ the merge screen (409)
    function conflict(current) {
      var mine = state();
      var summary = form.querySelector("[name=summary]");
      var take = rows.dataset.labelTake, append = rows.dataset.labelAppend;
      function pointsText(list) { return list.map(function (p) { return (p.section ? "§" + p.section + " " : "") + p.text; }).join("\n"); }
      var fields = [
        { label: rows.dataset.labelSummary, mine: mine.summary, theirs: current.summary || "", choices: [
          { label: take, pick: function () { summary.value = current.summary || ""; } },
          { label: append, pick: function () { summary.value = mine.summary + "\n" + (current.summary || ""); } }] },
        { label: rows.dataset.labelConclusion, mine: mine.conclusion, theirs: current.conclusion || "", choices: [
          { label: take, pick: function () { setConclusion(current.conclusion); } }] },
        { label: rows.dataset.labelScores, mine: JSON.stringify(mine.scores), theirs: JSON.stringify(current.scores || {}), choices: [
          { label: take, pick: function () { setScores(current.scores); } }] },
        { label: rows.dataset.labelPoints, mine: pointsText(mine.points), theirs: pointsText(current.points || []), choices: [
          { label: take, pick: function () { setPoints(current.points); } },
          { label: append, pick: function () {
            var have = {};
            points.forEach(function (p) { have[p.text] = true; });
            current.points.forEach(function (p) {
              if (!have[p.text]) { points.push({ key: nextKey++, id: null, section: p.section, text: p.text }); }
            });
            renderPoints();
          } }] }
      ];
      W.merge.show(panel, rows, fields.filter(function (f) { return f.mine !== f.theirs; }), { onChoice: autosave.changed });
    }

    var autosave = W.drafts.autosave({
      url: "/api/v1/reviews/" + reviewId + "/opinion/",
      key: "opinion-draft:" + form.dataset.user + ":" + reviewId,
      version: server.version,
      enabled: writable && !submitted,
      status: document.getElementById("save-status"),
      read: state,
      apply: function (data) { server = data; apply(data); },
      same: function (a, b) { return comparable(a) === comparable(b); },
      body: function (data) {
        return {
          conclusion: data.conclusion,
          scores: data.scores,
          summary: data.summary,
          points: data.points.filter(function (p) { return p.text.trim() !== ""; })
        };
      },
      onSaved: function (data, sent, captured, merged) {
        server = data;
        showErrors({});
        // Give the points the server just created their ids, in order (empty points were not sent).
        var withText = points.filter(function (p) { return (p.text || "").trim() !== ""; });
        withText.forEach(function (p, index) { if (data.points[index]) { p.id = data.points[index].id; } });
        if (merged) { W.merge.hide(panel); }
      },
      onConflict: conflict,
      onInvalid: function (data) { showErrors(data.errors); }
    });

    document.getElementById("merge-save").addEventListener("click", function () {
      var merging = autosave.merging();
      if (!merging) { return; }
      var known = {};
      (merging.points || []).forEach(function (p) { known[p.id] = true; });
      points.forEach(function (p) { if (p.id && !known[p.id]) { p.id = null; } });  // deleted there: new here
      autosave.resolve(submitted ? { reason: (form.querySelector("[name=reason]") || {}).value || "" } : undefined);
    });

    // ------------------------------------------------------------ wiring
    form.addEventListener("input", function (event) {
      if (event.target.name === "label" || event.target.name === "reason") { return; }
      if (event.target.closest && event.target.closest("#points")) { return; }
      autosave.changed();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "conclusion") { autosave.changed(); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function addPoint(section) {
      var point = { key: nextKey++, id: null, section: section || "", text: "" };
      points.push(point);
      renderPoints();
      var li = list.querySelector('[data-key="' + point.key + '"] textarea');
      if (li) { li.focus(); li.scrollIntoView({ block: "center" }); }
      autosave.keep();
    }
    var add = document.getElementById("add-point");
    if (add) { add.addEventListener("click", function () { addPoint(""); }); }
    document.querySelectorAll("[data-add-point]").forEach(function (button) {
      button.addEventListener("click", function () { addPoint(button.dataset.addPoint); });
    });
    var saveVersion = document.getElementById("save-version");
    if (saveVersion) {
      saveVersion.addEventListener("click", function () {
        var label = document.getElementById("id_label");
        autosave.save({ label: label.value.trim() || saveVersion.textContent.trim() }).then(function (ok) { if (ok) { label.value = ""; } });
      });
    }
    var addendum = document.getElementById("save-addendum");
    if (addendum) {
      addendum.addEventListener("click", function () {
        var reason = document.getElementById("id_reason");
        autosave.save({ reason: reason.value }).then(function (ok) { if (ok) { reason.value = ""; } });
      });
    }
    var submitLink = document.getElementById("submit-link");
    if (submitLink) {
      submitLink.addEventListener("click", function (event) {
        if (!autosave.dirty()) { return; }
        event.preventDefault();
        autosave.save().then(function (ok) { if (ok) { location.href = submitLink.href; } });
      });
    }

    // ------------------------------------------------------------ start: server or this device?
    var draft = autosave.draft(server);
    if (!draft) {
      apply(server);
    } else {
      apply(draft.data);
      autosave.restored();
      if (draft.base === server.version) { autosave.flush(); } else if (writable) { autosave.conflict(server); }
    }

    W.live.review(reviewId, Number(form.dataset.seq || 0), function (message) {
      // Our own opinion saved elsewhere: take it if nothing here is unsaved (else the next save gets 409).
      if (message.type === "opinion.saved" && message.opinion === server.id && message.version > autosave.base() && !autosave.dirty()) {
        W.api.getJSON("/api/v1/reviews/" + reviewId + "/opinion/").then(function (data) {
          if (data && !autosave.dirty()) { server = data; apply(data); autosave.reset(data.version); }
        });
      }
    }, W.live.status(document.getElementById("live-status"), true));
  });
})();
