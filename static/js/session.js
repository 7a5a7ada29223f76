/* The idle-timeout warning: two minutes before the session would end for want of activity, offer
   "Stay signed in". The server keeps the clock (other tabs and autosave count as activity), so
   before warning this asks it how long is really left. Data comes from <body data-session-*>. */
(function () {
  "use strict";
  const body = document.body;
  const idleSeconds = Number(body.dataset.sessionIdleSeconds || 0);
  const warningSeconds = Number(body.dataset.sessionWarningSeconds || 0);
  const panel = document.getElementById("session-warning");
  if (!idleSeconds || !panel) return;
  const countdown = document.getElementById("session-countdown");
  const stay = document.getElementById("session-stay");
  let checkTimer = null;
  let tickTimer = null;
  let endsAt = 0;

  function schedule(secondsLeft) {
    clearTimeout(checkTimer);
    endsAt = Date.now() + secondsLeft * 1000;
    checkTimer = setTimeout(check, Math.max(secondsLeft - warningSeconds, 0) * 1000);
  }

  function signedOut() {
    // The server has ended the session: reloading takes the person to sign in, with the reason.
    window.location.reload();
  }

  async function ask(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options));
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("session check failed: " + response.status);
    return response.json();
  }

  async function check() {
    let state;
    try {
      state = await ask(body.dataset.sessionStatusUrl);
    } catch (error) {
      showWarning(); // Cannot ask: warn on the local clock rather than not at all.
      return;
    }
    if (state === null || state.seconds_left <= 0) { signedOut(); return; }
    if (state.seconds_left > warningSeconds + 1) { hideWarning(); schedule(state.seconds_left); return; }
    endsAt = Date.now() + state.seconds_left * 1000;
    showWarning();
  }

  function render() {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    // A moment past the end, so the server's clock has certainly passed it too.
    if (left <= 0) { clearInterval(tickTimer); setTimeout(check, 2000); }
  }

  function showWarning() {
    const wasHidden = panel.hidden;
    panel.hidden = false;
    render();
    clearInterval(tickTimer);
    tickTimer = setInterval(render, 1000);
    if (wasHidden) stay.focus();
  }

  function hideWarning() {
    clearInterval(tickTimer);
    panel.hidden = true;
  }

  stay.addEventListener("click", async function () {
    stay.disabled = true;
    try {
      const state = await ask(body.dataset.sessionKeepaliveUrl, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": body.dataset.csrfToken },
      });
      if (state === null) { signedOut(); return; }
      hideWarning();
      schedule(state.seconds_left);
    } finally {
      stay.disabled = false;
    }
  });

  schedule(idleSeconds);
})();
