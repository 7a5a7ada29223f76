/* The recording form's body map: click the child's outline, or focus it and use the arrow keys,
   to place a mark; each mark is listed with its place in words and a note of what was seen.
   How a stored mark sits on the drawn outline, and what its regions are called, come from
   concerns/body_map.py (the "body-map-frame" JSON), so these words are the concern page's words.
   The marks live in the form's hidden body_map field; record.js autosaves on its input event.
   Served as a file: no inline script (CSP). */
(function () {
  "use strict";
  const store = document.getElementById("id_body_map");
  const list = document.getElementById("body-mark-list");
  const frameJson = document.getElementById("body-map-frame");
  if (!store || !list || !frameJson) return;
  const frame = JSON.parse(frameJson.textContent);
  const cursorStatus = document.getElementById("body-map-cursor");
  const SVG = "http://www.w3.org/2000/svg";

  /* ---- The frame: the same arithmetic as concerns/body_map.py. ---- */
  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }
  function interpolate(knots, value, source, target) {
    for (let index = 1; index < knots.length; index++) {
      const before = knots[index - 1], after = knots[index];
      if (value <= after[source] || index === knots.length - 1) {
        const share = (value - before[source]) / (after[source] - before[source]);
        return before[target] + share * (after[target] - before[target]);
      }
    }
  }
  function knotsFor(storedX) { return Math.abs(storedX - 50) > frame.arm_dx ? frame.arm_knots : frame.trunk_knots; }
  function drawnPoint(x, y) {
    const drawnY = interpolate(knotsFor(x), clamp(y, 0, 100), 0, 1);
    const drawnX = drawnY < frame.chin ? 50 + (x - 50) * frame.head_widen : x;
    return [clamp(drawnX, 0, 100), drawnY];
  }
  function storedPoint(drawnX, drawnY) {
    drawnY = clamp(drawnY, 0, 200);
    const x = drawnY < frame.chin ? 50 + (drawnX - 50) / frame.head_widen : drawnX;
    return [x, interpolate(knotsFor(x), drawnY, 1, 0)];
  }
  function distance(region, drawnY, dx) {
    return Math.max(region[0] - drawnY, drawnY - region[1], 0) + Math.max(region[2] - dx, dx - region[3], 0);
  }
  function placeInWords(side, drawnX, drawnY) {
    const dx = Math.abs(drawnX - 50);
    let best = null, bestDistance = Infinity;
    frame.regions[side].forEach(function (region) {
      const d = distance(region, drawnY, dx);
      if (d < bestDistance) { best = region; bestDistance = d; }
    });
    const childsRight = (drawnX < 50) === (side === "front");
    let words = best[4].replace("{side}", childsRight ? "child's right" : "child's left");
    if (bestDistance > 0) words = "outside the outline, near the " + words;
    return side + ", " + words;
  }
  function capitalised(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  /* ---- The marks. ---- */
  let marks = [];
  try { marks = JSON.parse(store.value || "[]"); } catch (error) { marks = []; }
  if (!Array.isArray(marks)) marks = [];
  function persist() {
    store.value = marks.length ? JSON.stringify(marks) : "";
    store.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function drawMark(mark, index) {
    const svg = document.querySelector('.body-figure.editable[data-side="' + mark.side + '"] .marks');
    if (!svg) return;
    const point = drawnPoint(Number(mark.x), Number(mark.y));
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("class", "mark"); dot.setAttribute("r", "3");
    dot.setAttribute("cx", point[0]); dot.setAttribute("cy", point[1]);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("class", "mark-label"); label.setAttribute("x", point[0]); label.setAttribute("y", point[1]);
    label.setAttribute("dy", "-5");
    label.textContent = index + 1;
    svg.append(dot, label);
  }
  function listMark(mark, index) {
    const point = drawnPoint(Number(mark.x), Number(mark.y));
    const li = document.createElement("li");
    li.className = "mb-2 body-mark";
    const id = "mark-note-" + index;
    const place = Object.assign(document.createElement("div"), { id: "mark-place-" + index,
      className: "small fw-semibold body-mark-place", textContent: capitalised(placeInWords(mark.side, point[0], point[1])) });
    const text = Object.assign(document.createElement("label"), { htmlFor: id, className: "form-label small mb-0",
      textContent: "Mark " + (index + 1) + " (" + mark.side + "): what you saw" });
    const input = Object.assign(document.createElement("input"), { type: "text", id: id, className: "form-control form-control-sm",
      value: mark.note || "", maxLength: 500 });
    input.setAttribute("aria-describedby", place.id);
    input.addEventListener("input", function () { mark.note = input.value; persist(); });
    // Enter in a note is the end of the note, not the whole concern submitted half-written.
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
    const remove = Object.assign(document.createElement("button"), { type: "button", className: "btn btn-link btn-sm p-0",
      textContent: "Remove mark " + (index + 1) });
    remove.addEventListener("click", function () { marks.splice(index, 1); render(); persist(); });
    li.append(place, text, input, remove);
    list.append(li);
  }
  function render() {
    document.querySelectorAll(".body-figure.editable .marks").forEach(function (g) { g.replaceChildren(); });
    list.replaceChildren();
    marks.forEach(function (mark, index) { drawMark(mark, index); listMark(mark, index); });
  }
  function place(side, drawnX, drawnY) {
    const stored = storedPoint(drawnX, drawnY);
    const round = function (value) { return Math.round(clamp(value, 0, 100) * 100) / 100; };
    marks.push({ side: side, x: round(stored[0]), y: round(stored[1]), note: "" });
    render(); persist();
    const inputs = list.querySelectorAll("input");
    inputs[inputs.length - 1].focus();
  }

  /* ---- Pointer and keyboard; the keyboard cursor starts in the middle of the body. ---- */
  document.querySelectorAll(".body-figure.editable").forEach(function (svg) {
    const side = svg.dataset.side;
    const cursor = svg.querySelector(".cursor");
    let cx = frame.cursor[0], cy = frame.cursor[1];
    function announce() {
      cursorStatus.textContent = "Cursor: " + placeInWords(side, cx, cy) + ". Press Enter to place a mark here.";
    }
    svg.addEventListener("click", function (event) {
      const box = svg.getBoundingClientRect();
      place(side, clamp(((event.clientX - box.left) / box.width) * 100, 0, 100),
        clamp(((event.clientY - box.top) / box.height) * 200, 0, 200));
    });
    svg.addEventListener("focus", function () { cursor.removeAttribute("hidden"); announce(); });
    svg.addEventListener("blur", function () { cursor.setAttribute("hidden", ""); cursorStatus.textContent = ""; });
    svg.addEventListener("keydown", function (event) {
      const step = event.shiftKey ? 10 : 2;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        cx = clamp(cx + moves[event.key][0], 0, 100);
        cy = clamp(cy + moves[event.key][1], 0, 200);
        cursor.setAttribute("cx", cx); cursor.setAttribute("cy", cy);
        announce();
        event.preventDefault();
      } else if (event.key === "Enter" || event.key === " ") {
        place(side, cx, cy);
        event.preventDefault();
      }
    });
  });
  render();
})();
