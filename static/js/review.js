// Triage in place (the review queue and a concern's review panel), on top of htmx.
// htmx swaps the row or panel the server sends back. This file only says what htmx does not:
// an answer it will not swap (a refusal, a server error) or no answer at all, and it puts the
// keyboard focus on the swapped part's message, since the button that was pressed has been replaced.
(function () {
  "use strict";

  var PROBLEMS = {
    403: "You cannot do that: only the DSL team of the concern's site triages it.",
    404: "That concern is not there, or you can no longer see it. Reload the page.",
  };
  var UNREACHABLE = "Vigil could not be reached, so nothing was changed. Check the connection and try again.";
  var FAILED = "Something went wrong and nothing was changed. Reload the page and try again.";

  function placeFor(element) {
    var place = element.closest(".queue-item .card-body, #triage-panel");
    return place || document.getElementById("main");
  }

  function say(element, text) {
    var place = placeFor(element);
    var message = place.querySelector(":scope > .triage-message");
    if (!message) {
      message = document.createElement("div");
      message.tabIndex = -1;
      place.insertBefore(message, place.firstElementChild && place.firstElementChild.tagName === "H2"
        ? place.firstElementChild.nextSibling : place.firstChild);
    }
    message.className = "alert alert-danger py-2 px-3 mb-2 small triage-message";
    message.setAttribute("role", "alert");
    message.textContent = text;
    message.focus();
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    say(event.detail.elt, PROBLEMS[status] || FAILED);
  });

  document.addEventListener("htmx:sendError", function (event) {
    say(event.detail.elt, UNREACHABLE);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // An outerHTML swap replaced the target: find its successor by the id they share.
    var target = event.detail.target;
    var swapped = target && target.id ? document.getElementById(target.id) : target;
    var message = swapped && swapped.querySelector ? swapped.querySelector(".triage-message") : null;
    if (message) {
      message.focus();
      return;
    }
    var problem = swapped && swapped.querySelector ? swapped.querySelector(".is-invalid, [aria-invalid='true']") : null;
    if (problem) {
      problem.focus();
    }
  });
})();
