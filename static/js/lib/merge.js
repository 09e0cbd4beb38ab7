/* Workbench.merge: the merge panel shown after a 409. One row per field or question that differs:
   the text kept on this device beside the saved one, and the page's choices (keep mine / use the
   saved one / both). The labels come from the rows element's data-label-* attributes.
   show(panel, rowsEl, rows, options) with rows [{label, testid, mine, theirs, choices}]:
   mine/theirs a text (shown as is) or a list of texts (an <ol>, "none" label when empty);
   choices [{choice, label, pick}]: pick() puts that choice into the form, then options.onChoice().
   options.toggle: the choices stay, one pressed (aria-pressed, the first at first); otherwise a
   choice is taken once and its row goes away. */
(function () {
  "use strict";
  var W = window.Workbench = window.Workbench || {};

  function column(rowsEl, kind, title, value) {
    var col = document.createElement("div");
    col.className = "merge-col " + kind;
    var head = document.createElement("p");
    head.className = "meta";
    head.textContent = title;
    col.appendChild(head);
    if (!Array.isArray(value)) {
      var text = document.createElement("p");
      text.className = "pre";
      text.setAttribute("data-testid", "merge-" + kind);
      text.textContent = value;
      col.appendChild(text);
      return col;
    }
    var list = document.createElement("ol");
    list.className = "merge-points";
    list.setAttribute("data-testid", "merge-" + kind);
    value.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "pre";
      li.textContent = item;
      list.appendChild(li);
    });
    col.appendChild(list);
    if (!value.length) {
      var none = document.createElement("p");
      none.className = "empty";
      none.textContent = rowsEl.dataset.labelNone;
      col.appendChild(none);
    }
    return col;
  }

  function row(rowsEl, item, options) {
    var box = document.createElement("div");
    box.className = "merge-row";
    if (item.testid) { box.setAttribute("data-testid", item.testid); }
    var h = document.createElement("h3");
    h.textContent = item.label;
    box.appendChild(h);
    box.appendChild(column(rowsEl, "mine", rowsEl.dataset.labelMine, item.mine));
    box.appendChild(column(rowsEl, "theirs", rowsEl.dataset.labelTheirs, item.theirs));
    var holder = box;
    if (options.toggle) {
      holder = document.createElement("div");
      holder.className = "merge-choices";
    }
    item.choices.forEach(function (choice, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      if (options.toggle) {
        button.setAttribute("data-choice", choice.choice);
        button.setAttribute("aria-pressed", index === 0 ? "true" : "false");
      }
      button.addEventListener("click", function () {
        choice.pick();
        if (options.toggle) {
          holder.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        } else {
          box.remove();
        }
        if (options.onChoice) { options.onChoice(); }
      });
      holder.appendChild(button);
    });
    if (holder !== box) { box.appendChild(holder); }
    return box;
  }

  function show(panel, rowsEl, rows, options) {
    options = options || {};
    rowsEl.textContent = "";
    rows.forEach(function (item) { rowsEl.appendChild(row(rowsEl, item, options)); });
    panel.hidden = false;
    panel.scrollIntoView({ block: "start" });
  }

  function hide(panel, rowsEl) {
    panel.hidden = true;
    if (rowsEl) { rowsEl.textContent = ""; }
  }

  W.merge = { show: show, hide: hide };
})();
