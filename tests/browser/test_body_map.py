"""The body map in a real browser: which side is the child's, marks placed by keyboard, and each
mark's place in words, the same while recording as on the concern page."""

import json
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from concerns.body_map import mark_place
from concerns.models import BodyMapMark, ConcernDraft
from tests.browser.conftest import PHONE, artifact, sign_in
from tests.factories import ConcernFactory

pytestmark = pytest.mark.browser


def stored_marks(page) -> list[dict]:
    return json.loads(page.locator("#id_body_map").input_value() or "[]")


def draft_notes(author, expected: list[str], seconds: float = 10) -> list[str]:
    """The notes of the marks in the author's autosaved draft, once they are the expected ones
    (the autosave waits for a pause in typing) or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        draft = ConcernDraft.objects.filter(author=author).first()
        notes = [mark["note"] for mark in json.loads(draft.data["body_map"][0])] if draft else []
        if notes == expected or time.monotonic() > deadline:
            return notes
        time.sleep(0.25)


def test_a_keyboard_user_places_marks_and_reads_where_each_is_on_the_child(page, browser_cast):
    cast = browser_cast
    sign_in(page, cast.staff)
    page.goto(f"/concerns/new/?child={cast.child_a.id}")
    body_map = page.locator("#group-body_map")
    front = page.locator('svg.body-figure[data-side="front"]')
    back = page.locator('svg.body-figure[data-side="back"]')

    # Each outline names the child's sides, in the drawing and in words beneath it.
    expect(front.locator(".side-labels text")).to_have_text(["child's", "RIGHT", "child's", "LEFT"])
    expect(back.locator(".side-labels text")).to_have_text(["child's", "LEFT", "child's", "RIGHT"])
    expect(body_map).to_contain_text("Front, facing you: the child's right is on your left")
    expect(body_map).to_contain_text("Back, seen from behind: the child's right is on your right")
    expect(front).to_have_accessible_name(
        "Front outline, the child's right on your left: arrow keys move, Enter places a mark"
    )

    # The keyboard cursor starts in the middle of the body, and says where it is as it moves.
    front.focus()
    cursor = front.locator("circle.cursor")
    expect(cursor).to_be_visible()
    expect(cursor).to_have_attribute("cx", "50")
    expect(cursor).to_have_attribute("cy", "82")
    status = page.locator("#body-map-cursor")
    expect(status).to_have_text("Cursor: front, centre of the tummy. Press Enter to place a mark here.")
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # towards the reader's right: the child's left
    for _ in range(10):
        page.keyboard.press("ArrowUp")
    expect(status).to_contain_text("front, child's left side of the chest")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Mark 1 (front): what you saw")).to_be_focused()
    page.keyboard.type("Round red mark, about 2 cm")
    expect(page.locator("#mark-place-0")).to_have_text("Front, child's left side of the chest")
    expect(page.get_by_label("Mark 1 (front): what you saw")).to_have_accessible_description(
        "Front, child's left side of the chest"
    )

    back.focus()
    for _ in range(12):
        page.keyboard.press("ArrowLeft")  # on the back, the reader's left is the child's left
    page.keyboard.press("Enter")
    page.keyboard.type("Bruise on the elbow, yellow-green")
    expect(page.locator("#mark-place-1")).to_have_text("Back, child's left elbow")
    expect(page.locator("svg.body-figure circle.mark")).to_have_count(2)

    # What is stored says the same in words on the server; the draft keeps it.
    marks = stored_marks(page)
    assert [mark_place(mark["side"], mark["x"], mark["y"]) for mark in marks] == [
        "front, child's left side of the chest",
        "back, child's left elbow",
    ]
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    notes = ["Round red mark, about 2 cm", "Bruise on the elbow, yellow-green"]
    assert draft_notes(cast.staff, notes) == notes

    page.locator("main").click(position={"x": 5, "y": 5})  # the cursor hides when the map loses focus
    body_map.screenshot(path=str(artifact("body-map-record-1280.png")))
    page.set_viewport_size(PHONE)
    body_map.scroll_into_view_if_needed()
    body_map.screenshot(path=str(artifact("body-map-record-390.png")))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_concern_page_says_where_each_mark_is_on_the_child(new_context, browser_cast):
    cast = browser_cast
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    for side, x, y, note in [
        ("front", "72.00", "42.00", "Several fresh straight scratches, inner forearm."),
        ("front", "54.00", "8.50", "Red mark on left cheek about 4 cm across."),
        ("back", "31.50", "29.00", "Four round bruises in a line, each about 1 cm."),
        ("back", "60.00", "50.00", ""),
    ]:
        BodyMapMark.objects.create(concern=concern, side=side, x=Decimal(x), y=Decimal(y), note=note)

    for name, viewport in [("1280", {"width": 1280, "height": 900}), ("390", PHONE)]:
        page = new_context(viewport).new_page()
        sign_in(page, cast.dsl)
        page.goto(f"/concerns/{concern.pk}/")
        places = page.locator(".body-mark-places > li")
        expect(places).to_have_text(
            [
                "Front, child's left forearm: Several fresh straight scratches, inner forearm.",
                "Front, child's left cheek: Red mark on left cheek about 4 cm across.",
                "Back, child's left upper arm: Four round bruises in a line, each about 1 cm.",
                "Back, child's right buttock: (no note)",
            ]
        )
        readonly = page.locator(".body-map.readonly")
        expect(readonly).to_contain_text("Front, facing you: the child's right is on your left")
        expect(readonly.locator("circle.mark")).to_have_count(4)
        readonly.screenshot(path=str(artifact(f"body-map-concern-{name}.png")))
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
