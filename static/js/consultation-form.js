/* Posing a consultation: the list of questions grows and shrinks on the page; without scripts
   the form still carries its empty rows. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("questions");
    var add = document.getElementById("add-question");
    if (!list || !add) { return; }
    add.addEventListener("click", function () {
      var rows = list.querySelectorAll(".question-row");
      var row = rows[rows.length - 1].cloneNode(true);
      row.querySelector("textarea").value = "";
      list.appendChild(row);
      row.querySelector("textarea").focus();
    });
    list.addEventListener("click", function (event) {
      if (!event.target.matches("[data-remove-question]")) { return; }
      if (list.querySelectorAll(".question-row").length > 1) { event.target.closest(".question-row").remove(); }
      else { list.querySelector("textarea").value = ""; }
    });
  });
})();
