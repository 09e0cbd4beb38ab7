/* The expert's answer to a consultation: points under each question, added and removed on the
   page and saved a moment after typing stops through /api/v1/consultations/{id}/answer/ with
   If-Match. A 409 (saved on another device) stops autosaving and asks for a reload; nothing
   typed is sent over the other. After the seal a change is an addendum with a reason: the form
   is then posted as it is. */
(function () {
  "use strict";
  var DELAY = 1500;

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("answer-form");
    if (!form || form.dataset.writable !== "1") { return; }
    var status = document.getElementById("save-status");
    var template = document.getElementById("point-template");
    var autosave = form.dataset.submitted !== "1";
    var timer = null, saving = null, dirty = false, stopped = false;

    function say(key, value) {
      status.dataset.state = key;
      status.textContent = (status.dataset[key] || "").replace("%s", value || "");
    }

    function rows() {
      var out = [];
      form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
        fieldset.querySelectorAll(".point-row").forEach(function (row) {
          var area = row.querySelector("textarea");
          if (area.value.trim()) { out.push({ row: row, question: Number(fieldset.dataset.question), area: area }); }
        });
      });
      return out;
    }

    function save() {
      if (stopped) { return Promise.resolve(false); }
      if (saving) { dirty = true; return saving; }
      var sent = rows();
      var body = { points: sent.map(function (r) {
        var id = r.area.dataset.point ? Number(r.area.dataset.point) : null;
        return { id: id, question: r.question, text: r.area.value };
      }) };
      say("saving");
      dirty = false;
      saving = fetch(form.dataset.api, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "If-Match": '"' + form.dataset.version + '"', "X-CSRFToken": csrf() },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) { return { response: response, data: data }; });
      }).then(function (result) {
        var data = result.data;
        if (result.response.status === 409) { stopped = true; say("conflict"); return false; }
        if (!result.response.ok) { say("invalid"); showErrors(data); return false; }
        form.dataset.version = String(data.version);
        form.querySelector("input[name=version]").value = String(data.version);
        sent.forEach(function (r, index) {
          var id = data.points[index] ? String(data.points[index].id) : "";
          r.area.dataset.point = id;
          r.row.querySelector("input[type=hidden]").value = id;
        });
        showErrors({});
        say("saved", new Date().toTimeString().slice(0, 5));
        return true;
      }).catch(function () { say("error"); dirty = true; return false; })
        .then(function (ok) {
          saving = null;
          if (dirty && !stopped) { schedule(); }
          return ok;
        });
      return saving;
    }

    function showErrors(data) {
      var box = form.querySelector("[data-error-for=points]");
      var errors = (data && data.errors) || {};
      var all = [];
      Object.keys(errors).forEach(function (key) { all = all.concat(errors[key]); });
      box.textContent = all.join(" ");
    }

    function schedule() {
      if (!autosave) { return; }
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    }

    form.addEventListener("input", function (event) { if (event.target.matches("textarea")) { schedule(); } });
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-add-point]")) {
        var fieldset = target.closest("fieldset.question");
        var row = template.content.firstElementChild.cloneNode(true);
        row.querySelector("textarea").name = "point-" + fieldset.dataset.question;
        row.querySelector("input[type=hidden]").name = "pid-" + fieldset.dataset.question;
        fieldset.querySelector("[data-points]").appendChild(row);
        row.querySelector("textarea").focus();
      } else if (target.matches("[data-remove-point]")) {
        target.closest(".point-row").remove();
        schedule();
      }
    });
    if (autosave) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearTimeout(timer);
        save();
      });
      var link = form.querySelector("[data-testid=submit-link]");
      if (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          clearTimeout(timer);
          save().then(function (ok) { if (ok !== false) { window.location = link.href; } });
        });
      }
    }
  });
})();
