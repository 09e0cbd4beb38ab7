/* The expert's answer to a consultation: points under each question, added and removed on the
   page and saved a moment after typing stops through /api/v1/consultations/{id}/answer/ with
   If-Match (the version the text was based on). Nothing typed is lost (Workbench.drafts):
   - every change is kept at once on this device with the version it was based on, and cleared
     once saved; on load a kept draft on the server's version is put back and saved, one on an
     older version opens the merge panel;
   - offline or on a failed save the draft waits and is sent again when the network returns;
   - a 409 (saved on another device meanwhile) opens the merge panel (Workbench.merge): per
     question the points kept here and the saved ones, keep mine / take theirs / both, the form
     stays editable, and "Save the merged answer" saves it against the current version.
   After the seal a change is an addendum with a reason: the form is posted as it is (the draft
   is still kept here, so a refused post does not lose it).
   Needs lib/api.js, lib/drafts.js, lib/merge.js. */
(function () {
  "use strict";
  var W = window.Workbench;

  // What two lists of points say, ids aside: equal content needs no save and no merge.
  function sameText(a, b) {
    function key(list) { return JSON.stringify(list.map(function (p) { return [p.question, p.text.trim()]; })); }
    return key(a) === key(b);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("answer-form");
    if (!form || form.dataset.writable !== "1") { return; }
    var template = document.getElementById("point-template");
    var panel = document.getElementById("merge");
    var mergeRows = document.getElementById("merge-rows");
    var enabled = form.dataset.submitted !== "1";  // before the seal: autosave; after: an addendum

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

    function of(list, fieldset) {
      var question = Number(fieldset.dataset.question);
      return list.filter(function (p) { return p.question === question; });
    }

    function showErrors(data) {
      var box = form.querySelector("[data-error-for=points]");
      var errors = (data && data.errors) || {};
      var all = [];
      Object.keys(errors).forEach(function (key) { all = all.concat(errors[key]); });
      box.textContent = all.join(" ");
    }

    // ------------------------------------------------------------ the merge panel (409)
    function conflict(current) {
      var mine = points();
      var theirs = current.points || [];
      var items = [];
      function texts(list) { return list.map(function (p) { return p.text; }); }
      fieldsets().forEach(function (fieldset, index) {
        var myPoints = of(mine, fieldset), theirPoints = of(theirs, fieldset);
        if (sameText(myPoints, theirPoints)) { return; }
        function both() {
          var have = {};
          myPoints.forEach(function (p) { have[p.text.trim()] = true; });
          return myPoints.concat(theirPoints.filter(function (p) { return !have[p.text.trim()]; }));
        }
        items.push({
          label: (index + 1) + ". " + fieldset.querySelector("legend .pre").textContent,
          testid: "merge-question-" + (index + 1),
          mine: texts(myPoints),
          theirs: texts(theirPoints),
          choices: [
            { choice: "mine", label: mergeRows.dataset.labelKeep, pick: function () { fill(fieldset, myPoints); } },
            { choice: "theirs", label: mergeRows.dataset.labelTake, pick: function () { fill(fieldset, theirPoints); } },
            { choice: "both", label: mergeRows.dataset.labelBoth, pick: function () { fill(fieldset, both()); } }
          ]
        });
      });
      W.merge.show(panel, mergeRows, items, { toggle: true, onChoice: autosave.changed });
    }

    var autosave = W.drafts.autosave({
      url: form.dataset.api,
      key: "answer-draft:" + form.dataset.user + ":" + form.dataset.consultation,
      version: Number(form.dataset.version),
      enabled: enabled,
      status: document.getElementById("save-status"),
      read: function () { return { points: points() }; },
      apply: function (data) { fieldsets().forEach(function (fieldset) { fill(fieldset, of(data.points || [], fieldset)); }); },
      same: function (a, b) { return sameText(a.points || [], b.points || []); },
      capture: rows,
      body: function (data) {
        var seen = {};
        var body = { points: data.points.map(function (p) {
          var id = p.id && !seen[p.id] ? p.id : null;  // "keep both" may hold one point twice
          if (id) { seen[id] = true; }
          return { id: id, question: p.question, text: p.text };
        }) };
        if (!enabled) { body.reason = (form.querySelector("[name=reason]") || {}).value || ""; }
        return body;
      },
      onVersion: function (version) {
        form.dataset.version = String(version);
        form.querySelector("input[name=version]").value = String(version);
      },
      onSaved: function (data, sent, sentRows, merged) {
        sentRows.forEach(function (r, index) {
          var id = data.points[index] ? String(data.points[index].id) : "";
          r.area.dataset.point = id;
          r.row.querySelector("input[type=hidden]").value = id;
        });
        if (merged) { W.merge.hide(panel, mergeRows); }
        if (!enabled) { form.querySelector("[name=reason]").value = ""; }
        showErrors({});
      },
      onConflict: conflict,
      onInvalid: showErrors,
      // a draft kept by the page before Workbench.drafts: {base, points}
      upgrade: function (raw) { return Array.isArray(raw.points) ? { base: raw.base, data: { points: raw.points } } : null; }
    });

    function saveMerged() {
      var merging = autosave.merging();
      if (merging) {
        var known = {};
        (merging.points || []).forEach(function (p) { known[p.id] = true; });
        form.querySelectorAll("fieldset.question textarea").forEach(function (area) {  // deleted there: new here
          if (area.dataset.point && !known[Number(area.dataset.point)]) {
            area.dataset.point = "";
            area.closest(".point-row").querySelector("input[type=hidden]").value = "";
          }
        });
      }
      return autosave.resolve();
    }

    // ------------------------------------------------------------ wiring
    form.addEventListener("input", function (event) { if (event.target.matches("textarea")) { autosave.changed(); } });
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-add-point]")) {
        var row = newRow(target.closest("fieldset.question"), null);
        row.querySelector("textarea").focus();
      } else if (target.matches("[data-remove-point]")) {
        target.closest(".point-row").remove();
        autosave.changed();
      }
    });
    document.getElementById("merge-save").addEventListener("click", function () { saveMerged(); });
    if (enabled) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (autosave.merging()) { saveMerged(); } else { autosave.save({}); }
      });
      var link = form.querySelector("[data-testid=submit-link]");
      if (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          autosave.saveAll().then(function (ok) { if (ok) { window.location = link.href; } });
        });
      }
    } else {
      // An addendum is posted with its reason; the draft kept here comes back if it is refused.
      form.addEventListener("submit", function (event) {
        if (autosave.merging()) { event.preventDefault(); saveMerged(); return; }
        autosave.keep();
      });
    }

    // ------------------------------------------------------------ start: the server's or this device's?
    var server = { version: autosave.base(), points: points() };
    var draft = autosave.draft(server);
    if (draft) {
      fieldsets().forEach(function (fieldset) { fill(fieldset, of(draft.data.points, fieldset)); });
      autosave.restored();
      if (draft.base !== server.version) { autosave.conflict(server); }
      else if (enabled) { autosave.save(); }
      else { autosave.say("restored"); }
    }
  });
})();
