// On a template's form, shows only the translation fields of the chosen channel (SMS has no subject or HTML).
(function () {
  "use strict";
  const FIELDS = {
    email: ["subject", "preheader", "html", "text"],
    sms: ["body"],
    whatsapp: ["body"],
    in_app: ["subject", "body"],
  };
  const ALL = ["subject", "preheader", "html", "text", "body"];
  function apply() {
    const channel = document.getElementById("id_channel");
    if (!channel) return;
    const shown = FIELDS[channel.value] || ALL;
    ALL.forEach(function (name) {
      document.querySelectorAll(".inline-related .form-row.field-" + name).forEach(function (row) {
        row.hidden = !shown.includes(name);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    const channel = document.getElementById("id_channel");
    if (channel) channel.addEventListener("change", apply);
    apply();
  });
  document.addEventListener("formset:added", apply);
})();
