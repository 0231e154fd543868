// Billing page: add or replace the card with Stripe.js (a SetupIntent confirmed in the browser; the card number
// never reaches Nexo). The server then attaches the confirmed card to the customer as the default for invoices.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errorBox = document.getElementById("card-error");
  var csrf = form.querySelector("input[name=_csrf_token]");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.textContent = "";
    fetch(form.dataset.setupUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrftoken": csrf ? csrf.value : "" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("The card form is not available right now. Try again in a minute.");
        }
        return response.json();
      })
      .then(function (body) {
        return stripe.confirmCardSetup(body.client_secret, { payment_method: { card: card } });
      })
      .then(function (result) {
        if (result.error) {
          throw new Error(result.error.message || "The card was declined.");
        }
        form.querySelector("input[name=setup_intent]").value = result.setupIntent.id;
        form.submit();
      })
      .catch(function (error) {
        errorBox.textContent = error.message;
      });
  });
})();
