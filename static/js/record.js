/* The recording form: child picker, immediate-danger panel, late-recording reason, language
   advice and autosaved drafts (the body map is body_map.js). Served as a file: no inline script (CSP).
   The form works without it: everything here only helps. */
(function () {
  "use strict";
  const form = document.getElementById("concern-form");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const statusLine = document.getElementById("draft-status");

  /* ---- Autosave: the draft lives on the server, so a closed tab loses nothing. ---- */
  let saveTimer = null;
  let lastSaved = "";
  function draftBody() {
    const data = new FormData(form);
    data.delete("files");
    return data;
  }
  function serialise(data) { return new URLSearchParams(data).toString(); }
  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("text-danger", !!isError);
    statusLine.classList.toggle("fw-semibold", !!isError);
  }
  async function saveDraft() {
    const data = draftBody();
    const body = serialise(data);
    if (body === lastSaved) return;
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      if (response.status === 401) {
        setStatus("You have been signed out. Your draft is saved up to the last time shown; sign in again in a new tab, then come back and submit.", true);
        return;
      }
      if (!response.ok) { setStatus("Your draft could not be saved just now. Keep this page open.", true); return; }
      const result = await response.json();
      lastSaved = body;
      const time = new Date(result.saved_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      setStatus("Draft saved at " + time + ". Only you can see it until you submit.");
    } catch (error) {
      setStatus("Your draft could not be saved: check the connection. Keep this page open.", true);
    }
  }
  function scheduleSave() { clearTimeout(saveTimer); saveTimer = setTimeout(saveDraft, 1200); }
  form.addEventListener("input", scheduleSave);
  form.addEventListener("change", scheduleSave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      const data = draftBody();
      if (serialise(data) !== lastSaved) navigator.sendBeacon(form.dataset.autosaveUrl, data);
    }
  });

  /* ---- A problem on the last try: the summary says what, so start there (GOV.UK error summary). ---- */
  const summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) summary.focus();

  /* ---- Enter in a one-line box moves on, it does not send a half-written concern. ---- */
  const NOT_TEXT = ["submit", "button", "reset", "image", "file"];
  form.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.key !== "Enter" || event.isComposing || target.tagName !== "INPUT") return;
    if (NOT_TEXT.includes(target.type)) return;
    event.preventDefault();
  });

  /* ---- One submission: the server is idempotent too, but say it is on its way. ---- */
  form.addEventListener("submit", function () {
    clearTimeout(saveTimer);
    const button = document.getElementById("submit-concern");
    setTimeout(function () { button.disabled = true; button.textContent = "Submitting…"; }, 0);
  });

  /* ---- Immediate danger: say at once what to do. ---- */
  const danger = document.getElementById("id_immediate_danger");
  const dangerPanel = document.getElementById("danger-panel");
  function showDanger() { dangerPanel.hidden = !danger.checked; }
  danger.addEventListener("change", showDanger);
  showDanger();

  /* ---- Recorded on a later day: ask why. ---- */
  const occurred = document.getElementById("id_occurred_at");
  const delayPanel = document.getElementById("delay-panel");
  function dayNumber(year, month, day) { return year * 10000 + month * 100 + day; }
  function occurredDay() {
    const part = function (name) { return Number(document.getElementById("id_occurred_at_" + name).value.trim()); };
    const day = part("day"), month = part("month"), year = part("year");
    if (!(day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1000 && year <= 9999)) return null;
    return dayNumber(year, month, day);
  }
  function showDelay() {
    const now = new Date();
    const day = occurredDay();
    const late = day !== null && day < dayNumber(now.getFullYear(), now.getMonth() + 1, now.getDate());
    delayPanel.hidden = !(late || document.getElementById("id_delay_reason").value);
  }
  occurred.addEventListener("change", showDelay);
  occurred.addEventListener("input", showDelay);
  if (delayPanel.hasAttribute("data-start-hidden")) showDelay();

  /* ---- Language advice: gentle, never a block. ---- */
  const rules = JSON.parse(document.getElementById("advice-rules").textContent);
  function adviseOn(textarea) {
    const box = document.querySelector('.language-advice[data-for="' + textarea.id + '"]');
    if (!box) return;
    const found = [];
    rules.forEach(function (rule) {
      const matches = textarea.value.match(new RegExp(rule.pattern, rule.flags));
      if (matches) found.push({ message: rule.message, words: Array.from(new Set(matches)) });
    });
    box.replaceChildren();
    found.forEach(function (item) {
      const p = document.createElement("p");
      p.className = "mb-1";
      const strong = document.createElement("strong");
      strong.textContent = "“" + item.words.join("”, “") + "”: ";
      p.append(strong, item.message);
      box.append(p);
    });
  }
  ["id_child_words", "id_observations"].forEach(function (id) {
    const textarea = document.getElementById(id);
    if (!textarea) return;
    let timer = null;
    textarea.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { adviseOn(textarea); }, 300); });
    adviseOn(textarea);
  });

  /* ---- Child picker. ---- */
  const picker = form.querySelector(".child-picker");
  const search = document.getElementById("child-search");
  const results = document.getElementById("child-results");
  const chosen = document.getElementById("chosen-children");
  const roleOptions = [["subject", "Subject of the concern"], ["involved", "Involved"], ["witness", "Witness"]];
  picker.hidden = false;
  // Year group and date of birth tell apart two children of one name.
  function childFacts(child) {
    return (child.year_group || "No year group") + " · born " + child.born_on + " · " + child.site;
  }
  function chosenIds() { return Array.from(chosen.querySelectorAll("input[name=children]")).map(function (i) { return i.value; }); }
  function addChild(child) {
    if (chosenIds().includes(String(child.id))) return;
    const li = document.createElement("li");
    li.className = "chosen-child d-flex flex-wrap align-items-center gap-2 py-2 border-bottom";
    li.dataset.childId = child.id;
    const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: "children", value: child.id });
    const name = Object.assign(document.createElement("span"), { className: "fw-semibold child-name", textContent: child.name });
    const meta = Object.assign(document.createElement("span"), { className: "small text-body-secondary child-facts",
      textContent: childFacts(child) });
    const label = Object.assign(document.createElement("label"), { className: "visually-hidden",
      htmlFor: "role_" + child.id, textContent: "Part in the concern for " + child.name });
    const select = Object.assign(document.createElement("select"), { className: "form-select form-select-sm w-auto ms-md-auto",
      name: "role_" + child.id, id: "role_" + child.id });
    roleOptions.forEach(function (option) { select.append(new Option(option[1], option[0])); });
    if (chosenIds().length > 0) select.value = "involved";
    const remove = Object.assign(document.createElement("button"), { type: "button", className: "btn btn-link btn-sm remove-child",
      textContent: "Remove" });
    remove.setAttribute("aria-label", "Remove " + child.name);
    li.append(hidden, name, meta, label, select, remove);
    chosen.append(li);
    scheduleSave();
  }
  chosen.addEventListener("click", function (event) {
    if (event.target.closest(".remove-child")) { event.target.closest("li").remove(); scheduleSave(); search.focus(); }
  });
  let lookupTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(async function () {
      const query = search.value.trim();
      results.replaceChildren();
      if (query.length < 2) return;
      const response = await fetch(form.dataset.lookupUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      if (!data.results.length) {
        results.append(Object.assign(document.createElement("li"), { className: "list-group-item", textContent: "No child on your roll matches." }));
      }
      data.results.forEach(function (child) {
        const li = document.createElement("li");
        li.className = "list-group-item p-0";
        const button = Object.assign(document.createElement("button"), { type: "button",
          className: "btn btn-link w-100 text-start child-result",
          textContent: child.name + " — " + childFacts(child) });
        button.addEventListener("click", function () { addChild(child); results.replaceChildren(); search.value = ""; search.focus(); });
        li.append(button);
        results.append(li);
      });
    }, 250);
  });

  // What the page opened with is not a change: opening the form and leaving makes no draft.
  lastSaved = serialise(draftBody());
})();
