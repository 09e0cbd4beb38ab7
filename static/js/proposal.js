/* The proposal form: add and remove suggestion boxes. Without JavaScript two boxes show and the
   form still works (empty boxes are skipped). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("suggestion-list");
    var add = document.getElementById("add-suggestion");
    if (!list || !add) { return; }
    function renumber() {
      Array.prototype.forEach.call(list.querySelectorAll("li"), function (li, index) {
        var area = li.querySelector("textarea");
        var label = li.querySelector("label");
        area.id = "point-" + (index + 1);
        label.setAttribute("for", area.id);
        label.textContent = add.dataset.label + " " + (index + 1);
      });
    }
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-suggestion");
      if (!button) { return; }
      var items = list.querySelectorAll("li");
      if (items.length > 1) { button.closest("li").remove(); } else { items[0].querySelector("textarea").value = ""; }
      renumber();
    });
    add.addEventListener("click", function () {
      var li = document.createElement("li");
      li.className = "suggestion";
      li.setAttribute("data-testid", "suggestion");
      var label = document.createElement("label");
      label.className = "visually-hidden";
      var area = document.createElement("textarea");
      area.name = "points";
      area.rows = 3;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove-suggestion";
      remove.setAttribute("data-testid", "remove-suggestion");
      remove.textContent = add.dataset.remove;
      li.appendChild(label);
      li.appendChild(area);
      li.appendChild(remove);
      list.appendChild(li);
      renumber();
      area.focus();
    });
  });
})();
