// The export page's "Select all" (django-import-export): its own inline onchange handler is refused by our
// Content-Security-Policy (templates/admin/import_export/export.html cuts it), so the same behaviour is attached
// here: it ticks or unticks the fields of the chosen resource (the rows shown).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", function () {
        document.querySelectorAll(".selectable-field-export-row").forEach(function (row) {
          if (row.style.display === "none") return;  // another resource's fields
          row.querySelectorAll("input[type=checkbox]").forEach(function (checkbox) { checkbox.checked = toggle.checked; });
        });
      });
    });
  });
})();
