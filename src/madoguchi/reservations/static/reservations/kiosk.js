// Kiosk: print the ticket, go back to the start screen after a while, keep the code field focused
// so a USB QR scanner (which types the code and Enter) always lands in it.
(function () {
  "use strict";
  var ticket = document.querySelector("[data-ticket]");
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (ticket) {
    var back = ticket.getAttribute("data-return-url");
    window.setTimeout(function () { window.location.assign(back); }, 30000);
    return;
  }
  var code = document.getElementById("id_code");
  if (code) {
    document.addEventListener("click", function (event) {
      if (!event.target.closest("button, a, input")) { code.focus(); }
    });
  }
})();
