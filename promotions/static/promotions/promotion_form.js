// On a promotion's form: shows only the chosen reward type's fields, and writes the chosen currency beside
// every amount ("in the cart's currency" when none is chosen). A static file, so it runs under the CSP.
(function () {
  "use strict";
  const ANY_CURRENCY = "in the cart's currency";
  function showChosenReward() {
    const chooser = document.querySelector("[data-reward-chooser]");
    if (!chooser) return;
    document.querySelectorAll("fieldset.reward-options").forEach(function (fieldset) {
      fieldset.hidden = !fieldset.classList.contains("reward-options-" + chooser.value);
    });
  }
  function showCurrency() {
    const currency = document.getElementById("id_currency");
    if (!currency) return;
    document.querySelectorAll(".promotion-currency").forEach(function (unit) {
      unit.textContent = currency.value || ANY_CURRENCY;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    const chooser = document.querySelector("[data-reward-chooser]");
    const currency = document.getElementById("id_currency");
    if (chooser) chooser.addEventListener("change", showChosenReward);
    if (currency) currency.addEventListener("change", showCurrency);
    showChosenReward();
    showCurrency();
  });
})();
