/* The MIS import's progress bar: polls the job's status and moves the bar; when the job is
   finished the page reloads to show the summary and any rows not imported. No inline script (CSP). */
(function () {
  "use strict";
  const panel = document.getElementById("import-progress");
  if (!panel) return;
  const track = document.getElementById("import-progress-bar");
  const bar = track.querySelector(".progress-bar");
  const POLL_MS = 700;

  function show(percent) {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    bar.style.width = value + "%";
    bar.textContent = value + "%";
    track.setAttribute("aria-valuenow", String(value));
  }

  function update(data) {
    show(data.percent);
    document.getElementById("import-status-label").textContent = data.status_label;
    document.getElementById("import-processed").textContent = String(data.processed);
    panel.querySelectorAll("[data-count]").forEach(function (cell) {
      const value = data[cell.dataset.count];
      if (value !== undefined) cell.textContent = String(value);
    });
  }

  async function poll() {
    try {
      const response = await fetch(panel.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        document.getElementById("import-status-line").textContent =
          "Progress is not available: you may have been signed out. Reload the page to see where the import is.";
        return;
      }
      const data = await response.json();
      update(data);
      if (data.finished) {
        window.setTimeout(function () { window.location.reload(); }, 600);
        return;
      }
    } catch (error) {
      /* A dropped connection: try again on the next tick; the import itself carries on. */
    }
    window.setTimeout(poll, POLL_MS);
  }

  show(Number(panel.dataset.percent || 0));
  if (panel.dataset.status !== "done" && panel.dataset.status !== "failed") {
    window.setTimeout(poll, POLL_MS);
  }
})();
