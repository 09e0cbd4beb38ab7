/* The expert's answer to a consultation: points under each question, added and removed on the
   page and saved a moment after typing stops through /api/v1/consultations/{id}/answer/ with
   If-Match (the version the text was based on). Nothing typed is lost:
   - every change is kept at once in localStorage as {base: version, points: [{question, id, text}]}
     and cleared once saved; on load a kept draft on the server's version is put back and saved,
     one on an older version opens the merge panel;
   - offline or on a failed save the draft waits: it is sent again on the `online` event and
     every few seconds;
   - a 409 (saved on another device meanwhile) opens the merge panel: per question the points
     kept here and the saved ones, keep mine / take theirs / both, the form stays editable, and
     "Save the merged answer" saves it against the current version.
   After the seal a change is an addendum with a reason: the form is posted as it is (the draft
   is still kept here, so a refused post does not lose it). */
(function () {
  "use strict";
  var DELAY = 1500;
  var RETRY = 5000;

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // What two lists of points say, ids aside: equal content needs no save and no merge.
  function sameText(a, b) {
    function key(list) { return JSON.stringify(list.map(function (p) { return [p.question, p.text.trim()]; })); }
    return key(a) === key(b);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("answer-form");
    if (!form || form.dataset.writable !== "1") { return; }
    var status = document.getElementById("save-status");
    var template = document.getElementById("point-template");
    var panel = document.getElementById("merge");
    var mergeRows = document.getElementById("merge-rows");
    var autosave = form.dataset.submitted !== "1";
    var storeKey = "answer-draft:" + form.dataset.user + ":" + form.dataset.consultation;
    var base = Number(form.dataset.version);
    var timer = null, saving = null;
    var dirty = false;        // the form holds text the server has not got
    var retry = false;        // the last save failed for the network or the server: try again
    var merging = null;       // the server's answer while the merge panel is open
    var mergedNext = false;   // the next save resolves a conflict (kept as a "merged" version)

    function say(key, value) {
      status.dataset.state = key;
      status.textContent = (status.dataset[key] || "").replace("%s", value || "");
    }

    // ------------------------------------------------------------ the form <-> points
    function fieldsets() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.question")); }

    function rows() {
      var out = [];
      fieldsets().forEach(function (fieldset) {
        fieldset.querySelectorAll(".point-row").forEach(function (row) {
          var area = row.querySelector("textarea");
          if (area.value.trim()) { out.push({ row: row, question: Number(fieldset.dataset.question), area: area }); }
        });
      });
      return out;
    }

    function points() {
      return rows().map(function (r) {
        return { question: r.question, id: r.area.dataset.point ? Number(r.area.dataset.point) : null, text: r.area.value };
      });
    }

    function newRow(fieldset, point) {
      var row = template.content.firstElementChild.cloneNode(true);
      var area = row.querySelector("textarea");
      var hidden = row.querySelector("input[type=hidden]");
      area.name = "point-" + fieldset.dataset.question;
      hidden.name = "pid-" + fieldset.dataset.question;
      area.value = point ? point.text : "";
      area.dataset.point = point && point.id ? String(point.id) : "";
      hidden.value = area.dataset.point;
      fieldset.querySelector("[data-points]").appendChild(row);
      return row;
    }

    // Put these points under their questions (an empty box where a question has none).
    function fill(fieldset, list) {
      fieldset.querySelector("[data-points]").textContent = "";
      list.forEach(function (point) { newRow(fieldset, point); });
      if (!list.length) { newRow(fieldset, null); }
    }

    function apply(list) {
      fieldsets().forEach(function (fieldset) { fill(fieldset, of(list, fieldset)); });
    }

    function of(list, fieldset) {
      var question = Number(fieldset.dataset.question);
      return list.filter(function (p) { return p.question === question; });
    }

    function setBase(version) {
      base = version;
      form.dataset.version = String(version);
      form.querySelector("input[name=version]").value = String(version);
    }

    // ------------------------------------------------------------ the copy on this device
    function keep() {
      try {
        localStorage.setItem(storeKey, JSON.stringify({ base: base, points: points() }));
      } catch (error) { /* private mode or full: the server copy is all there is */ }
    }

    function forget() {
      try { localStorage.removeItem(storeKey); } catch (error) { /* nothing kept */ }
    }

    function stored() {
      try {
        var draft = JSON.parse(localStorage.getItem(storeKey) || "null");
        return draft && Array.isArray(draft.points) && typeof draft.base === "number" ? draft : null;
      } catch (error) { return null; }
    }

    // ------------------------------------------------------------ saving
    function changed() {
      dirty = true;
      keep();
      schedule();
    }

    function schedule() {
      if (!autosave || merging) { return; }
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    }

    function showErrors(data) {
      var box = form.querySelector("[data-error-for=points]");
      var errors = (data && data.errors) || {};
      var all = [];
      Object.keys(errors).forEach(function (key) { all = all.concat(errors[key]); });
      box.textContent = all.join(" ");
    }

    function payload(sent) {
      var seen = {};
      var body = { points: sent.map(function (p) {
        var id = p.id && !seen[p.id] ? p.id : null;  // "keep both" may hold one point twice
        if (id) { seen[id] = true; }
        return { id: id, question: p.question, text: p.text };
      }) };
      if (mergedNext) { body.merged = true; }
      if (!autosave) { body.reason = (form.querySelector("[name=reason]") || {}).value || ""; }
      return body;
    }

    // One PUT of what the form holds now. Resolves true once the server has it.
    function save() {
      clearTimeout(timer);
      if (merging) { return Promise.resolve(false); }
      if (saving) { return saving; }
      if (!dirty) { return Promise.resolve(true); }
      if (navigator.onLine === false) { retry = true; say("offline"); return Promise.resolve(false); }
      var sentRows = rows();
      var sent = points();
      var merged = mergedNext;
      say("saving");
      saving = fetch(form.dataset.api, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "If-Match": '"' + base + '"', "X-CSRFToken": csrf() },
        body: JSON.stringify(payload(sent))
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }).then(function (result) {
        var data = result.data;
        retry = false;
        if (result.status === 200) { saved(data, sent, sentRows, merged); return true; }
        if (result.status === 409 && data.current) { conflict(data.current); return false; }
        if (result.status === 400) { say("invalid"); showErrors(data); return false; }
        if (result.status === 409 && data.detail) {  // closed meanwhile: the draft stays here
          status.dataset.state = "refused";
          status.textContent = data.detail;
          return false;
        }
        retry = true;
        say("error");
        return false;
      }, function () {
        retry = true;
        say(navigator.onLine === false ? "offline" : "error");
        return false;
      }).then(function (ok) {
        saving = null;
        if (ok && dirty) { schedule(); }
        return ok;
      });
      return saving;
    }

    function saved(data, sent, sentRows, merged) {
      setBase(data.version);
      sentRows.forEach(function (r, index) {
        var id = data.points[index] ? String(data.points[index].id) : "";
        r.area.dataset.point = id;
        r.row.querySelector("input[type=hidden]").value = id;
      });
      if (merged) { mergedNext = false; panel.hidden = true; mergeRows.textContent = ""; }
      if (!autosave) { form.querySelector("[name=reason]").value = ""; }
      showErrors({});
      if (sameText(points(), sent)) { dirty = false; forget(); } else { keep(); }
      say("saved", new Date().toTimeString().slice(0, 5));
    }

    // Send what waits: on the network's return, every few seconds, and on load.
    function flush() {
      if (dirty && retry && autosave && !merging && !saving) { save(); }
    }

    // Save until the server has everything typed (before leaving for the submit step).
    function saveAll() {
      return save().then(function (ok) { return ok && dirty ? saveAll() : ok; });
    }

    // ------------------------------------------------------------ the merge panel (409)
    function conflict(current) {
      var mine = points();
      var theirs = current.points || [];
      clearTimeout(timer);
      if (sameText(mine, theirs)) {  // both devices say the same: take the server's ids and version
        setBase(current.version);
        apply(theirs);
        dirty = false;
        forget();
        say("saved", new Date().toTimeString().slice(0, 5));
        return;
      }
      merging = current;
      dirty = true;
      say("conflict");
      mergeRows.textContent = "";
      fieldsets().forEach(function (fieldset, index) {
        var myPoints = of(mine, fieldset), theirPoints = of(theirs, fieldset);
        if (sameText(myPoints, theirPoints)) { return; }
        mergeRows.appendChild(mergeRow(fieldset, index + 1, myPoints, theirPoints));
      });
      panel.hidden = false;
      panel.scrollIntoView({ block: "start" });
    }

    function column(kind, title, list) {
      var col = document.createElement("div");
      col.className = "merge-col " + kind;
      var head = document.createElement("p");
      head.className = "meta";
      head.textContent = title;
      col.appendChild(head);
      var texts = document.createElement("ol");
      texts.className = "merge-points";
      texts.setAttribute("data-testid", "merge-" + kind);
      list.forEach(function (p) {
        var li = document.createElement("li");
        li.className = "pre";
        li.textContent = p.text;
        texts.appendChild(li);
      });
      col.appendChild(texts);
      if (!list.length) {
        var none = document.createElement("p");
        none.className = "empty";
        none.textContent = mergeRows.dataset.labelNone;
        col.appendChild(none);
      }
      return col;
    }

    function mergeRow(fieldset, number, myPoints, theirPoints) {
      var box = document.createElement("div");
      box.className = "merge-row";
      box.setAttribute("data-testid", "merge-question-" + number);
      var h = document.createElement("h3");
      h.textContent = number + ". " + fieldset.querySelector("legend .pre").textContent;
      box.appendChild(h);
      box.appendChild(column("mine", mergeRows.dataset.labelMine, myPoints));
      box.appendChild(column("theirs", mergeRows.dataset.labelTheirs, theirPoints));
      var choices = document.createElement("div");
      choices.className = "merge-choices";
      function both() {
        var have = {};
        myPoints.forEach(function (p) { have[p.text.trim()] = true; });
        return myPoints.concat(theirPoints.filter(function (p) { return !have[p.text.trim()]; }));
      }
      [["mine", mergeRows.dataset.labelKeep, function () { return myPoints; }],
       ["theirs", mergeRows.dataset.labelTake, function () { return theirPoints; }],
       ["both", mergeRows.dataset.labelBoth, both]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice[1];
        button.setAttribute("data-choice", choice[0]);
        button.setAttribute("aria-pressed", choice[0] === "mine" ? "true" : "false");
        button.addEventListener("click", function () {
          fill(fieldset, choice[2]());
          choices.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
          changed();
        });
        choices.appendChild(button);
      });
      box.appendChild(choices);
      return box;
    }

    function saveMerged() {
      if (!merging) { return save(); }
      var known = {};
      (merging.points || []).forEach(function (p) { known[p.id] = true; });
      form.querySelectorAll("fieldset.question textarea").forEach(function (area) {  // deleted there: new here
        if (area.dataset.point && !known[Number(area.dataset.point)]) {
          area.dataset.point = "";
          area.closest(".point-row").querySelector("input[type=hidden]").value = "";
        }
      });
      setBase(merging.version);
      merging = null;
      mergedNext = true;
      dirty = true;
      retry = true;  // offline now: sent when the network returns
      keep();        // the merged text, on the current version: a reload puts it back and saves it
      return save();
    }

    // ------------------------------------------------------------ wiring
    form.addEventListener("input", function (event) { if (event.target.matches("textarea")) { changed(); } });
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-add-point]")) {
        var row = newRow(target.closest("fieldset.question"), null);
        row.querySelector("textarea").focus();
      } else if (target.matches("[data-remove-point]")) {
        target.closest(".point-row").remove();
        changed();
      }
    });
    document.getElementById("merge-save").addEventListener("click", function () { saveMerged(); });
    if (autosave) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (merging) { saveMerged(); } else { dirty = true; retry = true; save(); }
      });
      var link = form.querySelector("[data-testid=submit-link]");
      if (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          saveAll().then(function (ok) { if (ok) { window.location = link.href; } });
        });
      }
    } else {
      // An addendum is posted with its reason; the draft kept here comes back if it is refused.
      form.addEventListener("submit", function (event) {
        if (merging) { event.preventDefault(); saveMerged(); return; }
        keep();
      });
    }
    window.addEventListener("online", flush);
    setInterval(flush, RETRY);
    window.addEventListener("pagehide", function () { if (dirty) { keep(); } });

    // ------------------------------------------------------------ start: the server's or this device's?
    var server = { version: base, points: points() };
    var draft = stored();
    if (!draft || sameText(draft.points, server.points)) {
      forget();
    } else if (draft.base === server.version) {
      apply(draft.points);
      dirty = true;
      retry = true;
      if (autosave) { save(); } else { say("restored"); }
    } else {
      apply(draft.points);
      conflict(server);
    }
  });
})();
