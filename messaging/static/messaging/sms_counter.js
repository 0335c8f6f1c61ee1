// Shows an SMS text's encoding and number of parts under each SMS/WhatsApp body while it is edited.
(function () {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function attach(textarea) {
    if (textarea.dataset.smsCounter) return;
    textarea.dataset.smsCounter = "1";
    const note = document.createElement("div");
    note.className = "help";
    textarea.insertAdjacentElement("afterend", note);
    let timer = null;
    async function update() {
      const response = await fetch("/api/v1/sms/segments", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({text: textarea.value}),
      });
      if (!response.ok) { note.textContent = ""; return; }
      const info = await response.json();
      note.textContent = info.summary + (info.warning || info.note ? ` — ${info.warning || info.note}` : "");
      note.style.color = info.warning ? "#ba2121" : "";
    }
    textarea.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
    update();
  }
  function scan() { document.querySelectorAll("textarea.sms-body").forEach(attach); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("formset:added", scan);
})();
