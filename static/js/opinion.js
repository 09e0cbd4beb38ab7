/* Writing an opinion. Every change is kept in localStorage at once and sent a few seconds after
   typing stops (PUT with If-Match: the version it was based on). Offline, it waits for the
   network (the `online` event, and a retry every few seconds). A 409 opens the merge screen with
   both versions: nothing typed is lost. After submission there are no autosaves: a change is an
   addendum with a reason. */
(function () {
  "use strict";
  var DELAY = 2500;
  var RETRY = 5000;

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("opinion-form");
    if (!form) { return; }
    var reviewId = form.dataset.review;
    var writable = form.dataset.writable === "1";
    var submitted = form.dataset.submitted === "1";
    var storeKey = "opinion-draft:" + form.dataset.user + ":" + reviewId;
    var url = "/api/v1/reviews/" + reviewId + "/opinion/";
    var server = JSON.parse(document.getElementById("opinion-initial").textContent);
    var base = server.version;
    var dirty = false, inFlight = false, again = false, merging = null, timer = null, nextKey = 1;
    var points = [];
    var statusEl = document.getElementById("save-status");
    var list = document.getElementById("points");
    var sectionOptions = document.getElementById("section-options");

    function setStatus(kind, time) {
      var text = statusEl.dataset[kind] || "";
      statusEl.textContent = time ? text.replace("%s", time) : text;
      statusEl.dataset.state = kind;
    }

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
        text.dataset.testid = "point-text";
        text.setAttribute("data-testid", "point-text");
        select.addEventListener("change", function () { point.section = select.value; changed(); });
        text.addEventListener("input", function () { point.text = text.value; changed(); });
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
            changed();
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

    function apply(data) {
      form.querySelectorAll("input[name=conclusion]").forEach(function (input) {
        input.checked = input.value === data.conclusion;
      });
      form.querySelectorAll("input[data-criterion]").forEach(function (input) {
        var value = (data.scores || {})[input.dataset.criterion];
        input.value = value === undefined || value === null ? "" : value;
      });
      form.querySelector("[name=summary]").value = data.summary || "";
      points = (data.points || []).map(function (p) {
        return { key: nextKey++, id: p.id || null, section: p.section || "", text: p.text || "" };
      });
      renderPoints();
    }

    function body(data) {
      return {
        conclusion: data.conclusion,
        scores: data.scores,
        summary: data.summary,
        points: data.points.filter(function (p) { return p.text.trim() !== ""; })
      };
    }

    function keep() {
      try {
        localStorage.setItem(storeKey, JSON.stringify({ base: base, dirty: dirty, data: state(), at: Date.now() }));
      } catch (error) { /* private mode: the server copy is all there is */ }
    }

    function comparable(data) {
      return JSON.stringify([data.conclusion, data.scores, data.summary,
        data.points.map(function (p) { return [p.section, p.text]; })]);
    }

    // ------------------------------------------------------------ saving
    function changed() {
      dirty = true;
      keep();
      if (!writable || submitted || merging) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { save({}); }, DELAY);
    }

    function showErrors(errors) {
      form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
      Object.keys(errors || {}).forEach(function (field) {
        var el = form.querySelector('[data-error-for="' + field + '"]');
        var value = errors[field];
        if (el) { el.textContent = Array.isArray(value) ? value.join(" ") : String(value); }
      });
    }

    function save(extra) {
      if (!writable) { return Promise.resolve(false); }
      if (inFlight) { again = true; return Promise.resolve(false); }
      if (navigator.onLine === false) { setStatus("offline"); return Promise.resolve(false); }
      var sent = state();
      var payload = body(sent);
      Object.keys(extra).forEach(function (key) { payload[key] = extra[key]; });
      inFlight = true;
      setStatus("saving");
      return fetch(url, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "If-Match": '"' + base + '"', "X-CSRFToken": window.OpinionLive.csrf() },
        body: JSON.stringify(payload)
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }).then(function (result) {
        inFlight = false;
        if (result.status === 200) { saved(result.data, sent); return true; }
        if (result.status === 409 && result.data.current) { conflict(result.data.current); return false; }
        if (result.status === 400) { showErrors(result.data.errors); setStatus("invalid"); return false; }
        setStatus("error");
        return false;
      }, function () {
        inFlight = false;
        setStatus(navigator.onLine === false ? "offline" : "error");
        return false;
      }).then(function (ok) {
        if (again && !merging) { again = false; return save({}); }
        return ok;
      });
    }

    function saved(data, sent) {
      base = data.version;
      server = data;
      showErrors({});
      // Give the points the server just created their ids, in order (empty points were not sent).
      var withText = points.filter(function (p) { return (p.text || "").trim() !== ""; });
      withText.forEach(function (p, index) { if (data.points[index]) { p.id = data.points[index].id; } });
      if (comparable(state()) === comparable(sent)) { dirty = false; }
      keep();
      setStatus("saved", window.OpinionLive.shanghaiTime(data.saved_at ? new Date(data.saved_at) : new Date()));
    }

    function flush() {
      if (dirty && writable && !submitted && !merging && !inFlight) { save({}); }
    }

    // ------------------------------------------------------------ the merge screen (409)
    function conflict(current) {
      merging = current;
      setStatus("conflict");
      var panel = document.getElementById("merge");
      var rows = document.getElementById("merge-rows");
      rows.textContent = "";
      var mine = state();
      function row(label, mineText, theirsText, take, append) {
        if (mineText === theirsText) { return; }
        var box = document.createElement("div");
        box.className = "merge-row";
        var h = document.createElement("h3");
        h.textContent = label;
        box.appendChild(h);
        [[rows.dataset.labelMine, mineText, "mine"], [rows.dataset.labelTheirs, theirsText, "theirs"]].forEach(function (pair) {
          var col = document.createElement("div");
          col.className = "merge-col " + pair[2];
          var title = document.createElement("p");
          title.className = "meta";
          title.textContent = pair[0];
          var text = document.createElement("p");
          text.className = "pre";
          text.dataset.testid = "merge-" + pair[2];
          text.setAttribute("data-testid", "merge-" + pair[2]);
          text.textContent = pair[1];
          col.appendChild(title);
          col.appendChild(text);
          box.appendChild(col);
        });
        var useTheirs = document.createElement("button");
        useTheirs.type = "button";
        useTheirs.textContent = rows.dataset.labelTake;
        useTheirs.addEventListener("click", function () { take(); dirty = true; keep(); box.remove(); });
        box.appendChild(useTheirs);
        if (append) {
          var add = document.createElement("button");
          add.type = "button";
          add.textContent = rows.dataset.labelAppend;
          add.addEventListener("click", function () { append(); dirty = true; keep(); box.remove(); });
          box.appendChild(add);
        }
        rows.appendChild(box);
      }
      var summary = form.querySelector("[name=summary]");
      row(rows.dataset.labelSummary, mine.summary, current.summary || "",
        function () { summary.value = current.summary || ""; },
        function () { summary.value = mine.summary + "\n" + (current.summary || ""); });
      row(rows.dataset.labelConclusion, mine.conclusion, current.conclusion || "", function () {
        form.querySelectorAll("input[name=conclusion]").forEach(function (i) { i.checked = i.value === current.conclusion; });
      });
      row(rows.dataset.labelScores, JSON.stringify(mine.scores), JSON.stringify(current.scores || {}), function () {
        form.querySelectorAll("input[data-criterion]").forEach(function (input) {
          var value = (current.scores || {})[input.dataset.criterion];
          input.value = value === undefined ? "" : value;
        });
      });
      function pointsText(list) { return list.map(function (p) { return (p.section ? "§" + p.section + " " : "") + p.text; }).join("\n"); }
      row(rows.dataset.labelPoints, pointsText(mine.points), pointsText(current.points || []), function () {
        points = current.points.map(function (p) { return { key: nextKey++, id: p.id, section: p.section, text: p.text }; });
        renderPoints();
      }, function () {
        var have = {};
        points.forEach(function (p) { have[p.text] = true; });
        current.points.forEach(function (p) {
          if (!have[p.text]) { points.push({ key: nextKey++, id: null, section: p.section, text: p.text }); }
        });
        renderPoints();
      });
      panel.hidden = false;
      panel.scrollIntoView({ block: "start" });
    }

    document.getElementById("merge-save").addEventListener("click", function () {
      if (!merging) { return; }
      var known = {};
      (merging.points || []).forEach(function (p) { known[p.id] = true; });
      points.forEach(function (p) { if (p.id && !known[p.id]) { p.id = null; } });  // deleted there: new here
      base = merging.version;
      var extra = { merged: true };
      if (submitted) { extra.reason = (form.querySelector("[name=reason]") || {}).value || ""; }
      merging = null;
      save(extra).then(function (ok) { if (ok) { document.getElementById("merge").hidden = true; } });
    });

    // ------------------------------------------------------------ wiring
    form.addEventListener("input", function (event) {
      if (event.target.name === "label" || event.target.name === "reason") { return; }
      if (event.target.closest && event.target.closest("#points")) { return; }
      changed();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "conclusion") { changed(); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function addPoint(section) {
      var point = { key: nextKey++, id: null, section: section || "", text: "" };
      points.push(point);
      renderPoints();
      var li = list.querySelector('[data-key="' + point.key + '"] textarea');
      if (li) { li.focus(); li.scrollIntoView({ block: "center" }); }
      keep();
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
        clearTimeout(timer);
        save({ label: label.value.trim() || saveVersion.textContent.trim() }).then(function (ok) { if (ok) { label.value = ""; } });
      });
    }
    var addendum = document.getElementById("save-addendum");
    if (addendum) {
      addendum.addEventListener("click", function () {
        var reason = document.getElementById("id_reason");
        save({ reason: reason.value }).then(function (ok) { if (ok) { reason.value = ""; } });
      });
    }
    var submitLink = document.getElementById("submit-link");
    if (submitLink) {
      submitLink.addEventListener("click", function (event) {
        if (!dirty) { return; }
        event.preventDefault();
        clearTimeout(timer);
        save({}).then(function (ok) { if (ok) { location.href = submitLink.href; } });
      });
    }
    window.addEventListener("online", flush);
    setInterval(flush, RETRY);
    window.addEventListener("pagehide", keep);

    // ------------------------------------------------------------ start: server or this device?
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (error) { stored = null; }
    if (stored && stored.dirty && stored.data && comparable(stored.data) !== comparable(server)) {
      apply(stored.data);
      dirty = true;
      if (stored.base === server.version) { flush(); } else if (writable) { conflict(server); }
    } else {
      apply(server);
      keep();
    }

    var live = document.getElementById("live-status");
    window.OpinionLive.connect(reviewId, Number(form.dataset.seq || 0), function (message) {
      // Our own opinion saved elsewhere: take it if nothing here is unsaved (else the next save gets 409).
      if (message.type === "opinion.saved" && message.opinion === server.id && message.version > base && !dirty) {
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (data && !dirty) { server = data; base = data.version; apply(data); keep(); }
        });
      }
    }, live);
  });
})();
