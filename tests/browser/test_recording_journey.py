"""The recording journey in a real browser: what a member of staff sees, clicks and gets back.

Each test drives headless Chromium against the live server and checks what a person would notice,
then what the database holds.
"""

import datetime
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from concerns.body_map import mark_place
from concerns.models import Attachment, BodyMapMark, Concern, ConcernChild, ConcernDraft
from tests.browser.conftest import PHONE, artifact, publish_screenshot, sign_in

pytestmark = pytest.mark.browser

OBSERVATIONS = (
    "At morning break Addy was standing alone by the fence in a T-shirt; it was raining and cold. "
    "Bram was beside her. I think she had not eaten, because J.B. said she had asked him for food."
)
CHILD_WORDS = "Mum didn't do any shopping again. There's nothing in the cupboards."
DISCLOSURE_QUESTION = "Did the child tell you something (a disclosure)?"


def tiny_png(path: Path) -> Path:
    """A real 4x4 red PNG, written byte by byte (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    width = height = 4
    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def half_an_hour_ago() -> str:
    """Now minus 30 minutes in Europe/London, to the minute (ISO 8601); never yesterday."""
    now = timezone.localtime()
    earlier = now - datetime.timedelta(minutes=30)
    if earlier.date() != now.date():
        earlier = now.replace(hour=0, minute=0)
    return earlier.strftime("%Y-%m-%dT%H:%M")


def fill_when(page, when: str) -> None:
    """Type an ISO date and time into the day, month, year, hour and minute boxes, as a person would."""
    moment = datetime.datetime.fromisoformat(when)
    boxes = page.get_by_role("group", name="When did it happen?")
    for label, value in (
        ("Day", moment.day),
        ("Month", moment.month),
        ("Year", moment.year),
        ("Hour", f"{moment.hour:02d}"),
        ("Minute", f"{moment.minute:02d}"),
    ):
        boxes.get_by_label(label, exact=True).fill(str(value))


def open_form_for(page, child) -> None:
    page.goto(f"/concerns/new/?child={child.id}")
    expect(page.get_by_role("heading", name="Record a concern")).to_be_visible()
    expect(page.locator("#chosen-children")).to_contain_text(child.display_name)


def fill_minimum(page, observations: str = "Arrived at 8.40 without a coat; said the heating is off at home.") -> None:
    page.get_by_label("Neglect", exact=True).check()
    fill_when(page, half_an_hour_ago())
    page.get_by_role("group", name=DISCLOSURE_QUESTION).get_by_label("No", exact=True).check()
    page.get_by_label("What happened: context and what you saw and heard").fill(observations)


def assert_nothing_spills_out_of_the_last_card(page) -> None:
    """The DSL team names stay inside their card, each on a line of its own, clear of the submit button."""
    card = page.locator("fieldset", has=page.locator("#id_files")).bounding_box()
    card_bottom = card["y"] + card["height"]
    names = page.locator("#id_named_recipients label")
    assert names.count() == 2  # the deputy and the DSL at site A
    tops = []
    for name in names.all():
        box = name.bounding_box()
        assert card["y"] <= box["y"] and box["y"] + box["height"] <= card_bottom, f"{name.inner_text()!r} spills out"
        assert box["width"] > 60, f"{name.inner_text()!r} is squeezed into {box['width']}px"
        tops.append(box["y"])
    assert tops == sorted(set(tops))
    submit = page.locator("#submit-concern").bounding_box()
    assert card_bottom <= submit["y"], "the submit button overlaps the card above it"


def duplicate_ids(page) -> list[str]:
    """Ids used twice break label, error and described-by links for screen-reader users."""
    return page.evaluate(
        """() => {
            const ids = Array.from(document.querySelectorAll("[id]"), (element) => element.id);
            return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
        }"""
    )


def test_the_cast_is_committed_where_the_live_server_sees_it(page, browser_cast):
    # Not wrapped in a transaction the server thread cannot see into: the rows are really there.
    assert not connection.in_atomic_block
    sign_in(page, browser_cast.staff)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sam Staffer")


def test_staff_records_a_concern_from_finding_the_child_to_the_receipt(page, browser_cast, tmp_path):
    cast = browser_cast
    sign_in(page, cast.staff)

    # Find the child: only children on the user's own school's roll are found.
    page.get_by_role("link", name="Find a child").click()
    page.get_by_label("Name, preferred name or UPN").fill("Fernsby")
    page.get_by_role("button", name="Find").click()
    results = page.locator(".child-results > li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Addy Fernsby")
    expect(results).to_contain_text(cast.site_a.name)
    expect(results).to_contain_text("Year 6 · born 3 Feb 2015")  # two children of one name are told apart
    expect(page.locator("main")).not_to_contain_text("Cleo")
    expect(page.locator("main")).not_to_contain_text(cast.site_b.name)
    page.get_by_role("link", name="Record a concern about Addy Fernsby").click()

    expect(page.get_by_role("heading", name="Record a concern")).to_be_visible()
    expect(page.locator("#chosen-children")).to_contain_text("Addy Fernsby")
    expect(page.get_by_label("Part in the concern for Addy Fernsby")).to_have_value("subject")

    # A second child, found with the picker, who saw it happen.
    page.locator("#child-search").fill("Marrow")
    result = page.locator("#child-results button.child-result", has_text="Bram Marrowfield")
    expect(result).to_have_count(1)
    born = cast.child_a2.date_of_birth
    expect(result).to_contain_text(f"Year 5 · born {born.day} {born:%b %Y}")
    result.click()
    expect(page.locator("#chosen-children > li")).to_have_count(2)
    expect(page.locator("#chosen-children > li").nth(1)).to_contain_text(f"Year 5 · born {born.day} {born:%b %Y}")
    page.get_by_label("Part in the concern for Bram Marrowfield").select_option(label="Witness")

    page.get_by_label("Neglect", exact=True).check()
    occurred = half_an_hour_ago()
    fill_when(page, occurred)
    expect(page.locator("#delay-panel")).to_be_hidden()
    page.get_by_label("Where did it happen?").fill("Junior playground, by the fence")
    page.get_by_role("group", name=DISCLOSURE_QUESTION).get_by_label("Yes", exact=True).check()
    page.get_by_label("The child's exact words").fill(CHILD_WORDS)

    # Opinion and initials draw advice as you type, and the advice never blocks anything.
    observations = page.get_by_label("What happened: context and what you saw and heard")
    expect(observations).to_have_accessible_description(re.compile(r"^Facts, not opinion\."))
    observations.fill(OBSERVATIONS)
    advice = page.locator('.language-advice[data-for="id_observations"]')
    expect(advice).to_be_visible()
    expect(advice).to_contain_text(re.compile("opinion", re.IGNORECASE))
    expect(advice).to_contain_text(re.compile("initials", re.IGNORECASE))
    expect(advice).to_contain_text("I think")
    expect(advice).to_contain_text("J.B.")
    expect(page.locator('.language-advice[data-for="id_child_words"]')).to_be_hidden()

    # Immediate danger: what to do is on screen at once, before anything else.
    danger_panel = page.locator("#danger-panel")
    expect(danger_panel).to_be_hidden()
    page.get_by_label("The child is in immediate danger").check()
    assert danger_panel.is_visible(), "the danger panel must show as soon as the box is ticked, without waiting"
    expect(danger_panel.get_by_role("alert")).to_contain_text("Call 999 now")
    # The question is heard with each answer, and is not called optional: the form needs an answer.
    called_999 = danger_panel.get_by_role("group", name="Have the police or ambulance been called on 999?", exact=True)
    called_999.get_by_label("Yes", exact=True).check()

    # Body map: one mark by pointer on the front, one by keyboard on the back.
    front = page.locator('svg.body-figure[data-side="front"]')
    box = front.bounding_box()
    front.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.3})
    page.get_by_label("Mark 1 (front): what you saw").fill("Round bruise, about 2 cm, centre of the chest")
    back = page.locator('svg.body-figure[data-side="back"]')
    back.focus()
    expect(back.locator("circle.cursor")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Mark 2 (back): what you saw")).to_be_focused()
    expect(page.locator("#mark-place-1")).to_have_text("Back, child's right shoulder blade")
    page.keyboard.type("Red mark on the right shoulder blade")
    expect(page.locator("#body-mark-list > li")).to_have_count(2)
    expect(page.locator("svg.body-figure circle.mark")).to_have_count(2)

    page.locator("#id_files").set_input_files(tiny_png(tmp_path / "playground.png"))
    assert_nothing_spills_out_of_the_last_card(page)
    page.get_by_label("Lee Lead").check()
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")

    assert duplicate_ids(page) == []

    form_shot = artifact("record-form.png")
    page.screenshot(path=str(form_shot), full_page=True)
    publish_screenshot(form_shot, "screenshot-record.png")

    page.get_by_role("button", name="Submit to the DSL").click()

    # The receipt: what was submitted, its reference and when.
    expect(page.get_by_role("heading", name="Concern submitted")).to_be_visible()
    reference = page.locator("#receipt-reference")
    expect(reference).to_have_text(re.compile(r"^VC-\d{6}$"))
    expect(page.get_by_role("alert")).to_contain_text("You said the child is in immediate danger")
    page.screenshot(path=str(artifact("receipt.png")), full_page=True)

    assert Concern.objects.count() == 1
    concern = Concern.objects.get()
    expect(reference).to_have_text(concern.reference)
    recorded = dateformat.format(timezone.localtime(concern.recorded_at), "l j F Y, H:i:s")
    expect(page.locator("#receipt-recorded-at")).to_have_text(recorded)
    assert abs(timezone.now() - concern.recorded_at) < datetime.timedelta(minutes=2)

    assert concern.author == cast.staff
    assert concern.site == cast.site_a
    assert timezone.localtime(concern.occurred_at).strftime("%Y-%m-%dT%H:%M") == occurred
    assert sorted(concern.child_links.values_list("child_id", "role")) == sorted(
        [(cast.child_a.id, "subject"), (cast.child_a2.id, "witness")]
    )
    assert [category.name for category in concern.categories.all()] == ["Neglect"]
    assert concern.is_disclosure is True
    assert concern.child_words == CHILD_WORDS
    assert concern.observations == OBSERVATIONS
    assert concern.location == "Junior playground, by the fence"
    assert concern.immediate_danger is True
    assert concern.called_999 is True
    assert list(concern.named_recipients.all()) == [cast.dsl]

    marks = list(BodyMapMark.objects.filter(concern=concern).order_by("id"))
    assert [mark.side for mark in marks] == ["front", "back"]
    assert marks[0].note == "Round bruise, about 2 cm, centre of the chest"
    assert mark_place(marks[0].side, marks[0].x, marks[0].y) == "front, centre of the chest"
    assert marks[1].note == "Red mark on the right shoulder blade"
    # From the middle of the body (drawn at 50, 82 of 100 x 200): three steps right, six up.
    assert (marks[1].x, marks[1].y) == (56, Decimal("30.30"))

    attachment = Attachment.objects.get()
    assert attachment.concern == concern
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "playground.png"
    assert attachment.file.read() == (tmp_path / "playground.png").read_bytes()

    # The draft that autosave kept while typing is gone now that the concern is submitted.
    assert not ConcernDraft.objects.filter(key=concern.submission_key).exists()


def test_a_draft_survives_a_closed_tab_and_only_its_author_can_open_it(context, new_context, browser_cast):
    cast = browser_cast
    text = "Drafted at the start of lunch: Addy said she was too tired to play and lay down on the bench."
    page = context.new_page()
    sign_in(page, cast.staff)
    open_form_for(page, cast.child_a)
    page.get_by_label("What happened: context and what you saw and heard").fill(text)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    page.close()

    page = context.new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Drafts").click()
    expect(page.get_by_role("heading", name="Your drafts")).to_be_visible()
    page.get_by_role("link", name="About Addy Fernsby").click()
    expect(page.get_by_role("heading", name="Record a concern")).to_be_visible()
    expect(page.get_by_label("What happened: context and what you saw and heard")).to_have_value(text)
    expect(page.locator("#chosen-children")).to_contain_text("Addy Fernsby")
    draft_url = page.url
    assert ConcernDraft.objects.filter(author=cast.staff).count() == 1

    # A colleague at the same school, in their own browser, given the same address.
    other = new_context().new_page()
    sign_in(other, cast.staff2)
    response = other.goto(draft_url)
    assert response.status == 404
    expect(other.get_by_role("heading", name="Page not found")).to_be_visible()
    assert text not in other.content()
    assert "Addy Fernsby" not in other.content()
    other.goto("/concerns/drafts/")
    expect(other.locator("main")).to_contain_text("You have no drafts.")


def test_opening_the_form_and_leaving_without_typing_leaves_no_draft(context, browser_cast):
    cast = browser_cast
    page = context.new_page()
    sign_in(page, cast.staff)
    open_form_for(page, cast.child_a)
    page.goto("/")  # away, with nothing typed: the tab's "hidden" moment sends nothing
    other_tab = context.new_page()
    open_form_for(other_tab, cast.child_a)
    other_tab.close()
    page.goto("/concerns/drafts/")
    expect(page.locator("main")).to_contain_text("You have no drafts.")
    assert not ConcernDraft.objects.exists()


def test_double_clicking_submit_records_one_concern(page, browser_cast):
    cast = browser_cast
    sign_in(page, cast.staff)
    open_form_for(page, cast.child_a)
    fill_minimum(page)
    page.dblclick("#submit-concern")

    expect(page.get_by_role("heading", name="Concern submitted")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert Concern.objects.count() == 1
    concern = Concern.objects.get()
    expect(page.locator("#receipt-reference")).to_have_text(concern.reference)
    assert ConcernChild.objects.filter(concern=concern).count() == 1


def test_the_form_fits_a_phone_without_sideways_scrolling(new_context, browser_cast):
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, browser_cast.staff)
    open_form_for(page, browser_cast.child_a)
    page.get_by_label("The child is in immediate danger").check()
    expect(page.locator("#danger-panel")).to_be_visible()

    assert_nothing_spills_out_of_the_last_card(page)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    page.screenshot(path=str(artifact("record-phone.png")), full_page=True)
    assert widths["scroll"] <= widths["client"], f"The page scrolls sideways on a phone: {widths}"


def test_enter_in_a_one_line_box_does_not_send_the_concern(page, browser_cast):
    sign_in(page, browser_cast.staff)
    open_form_for(page, browser_cast.child_a)
    fill_minimum(page)
    page.get_by_label("Where did it happen?").fill("Dining hall")
    page.keyboard.press("Enter")
    page.get_by_role("group", name="When did it happen?").get_by_label("Minute", exact=True).press("Enter")
    page.locator("#child-search").press("Enter")
    page.wait_for_timeout(500)
    expect(page.get_by_role("heading", name="Record a concern")).to_be_visible()
    assert not Concern.objects.exists()

    page.get_by_role("button", name="Submit to the DSL").click()
    expect(page.get_by_role("heading", name="Concern submitted")).to_be_visible()
    assert Concern.objects.get().location == "Dining hall"


def test_a_problem_keeps_the_chosen_file_and_takes_the_focus_to_the_summary(page, browser_cast, tmp_path):
    sign_in(page, browser_cast.staff)
    open_form_for(page, browser_cast.child_a)
    occurred = half_an_hour_ago()
    fill_when(page, occurred)
    page.get_by_role("group", name=DISCLOSURE_QUESTION).get_by_label("No", exact=True).check()
    page.get_by_label("What happened: context and what you saw and heard").fill("Limping at break; said he fell.")
    page.locator("#id_files").set_input_files(tiny_png(tmp_path / "knee.png"))
    page.get_by_role("button", name="Submit to the DSL").click()  # no category chosen

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Choose at least one category.")
    expect(summary).to_be_focused()
    expect(summary).not_to_contain_text("choose them again")
    expect(page.locator("#chosen-children")).to_contain_text(browser_cast.child_a.display_name)
    expect(page.locator("#kept-files")).to_contain_text("knee.png")
    expect(page.get_by_label("Remove knee.png")).not_to_be_checked()
    expect(page.get_by_label("What happened: context and what you saw and heard")).to_have_value(
        "Limping at break; said he fell."
    )
    when = page.get_by_role("group", name="When did it happen?")
    expect(when.get_by_label("Day", exact=True)).to_have_value(str(datetime.datetime.fromisoformat(occurred).day))

    page.get_by_label("Neglect", exact=True).check()
    page.get_by_role("button", name="Submit to the DSL").click()
    expect(page.get_by_role("heading", name="Concern submitted")).to_be_visible()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "knee.png"
    assert attachment.file.read() == (tmp_path / "knee.png").read_bytes()
    assert not ConcernDraft.objects.exists()


def test_a_us_locale_browser_records_the_day_and_month_as_typed(new_context, browser_cast):
    """In a US-locale browser the date picker turned 2 December into 12 February; the boxes cannot."""
    page = new_context(locale="en-US").new_page()
    sign_in(page, browser_cast.staff)
    open_form_for(page, browser_cast.child_a)
    year = timezone.localdate().year - 1
    fill_minimum(page)
    fill_when(page, f"{year}-12-02T14:05")
    expect(page.locator("#delay-panel")).to_be_visible()  # a later day: the form asks why at once
    page.get_by_label("Why is this being recorded on a later day?").fill("Told me at the end of term.")
    page.get_by_role("button", name="Submit to the DSL").click()
    expect(page.get_by_role("heading", name="Concern submitted")).to_be_visible()
    occurred = timezone.localtime(Concern.objects.get().occurred_at)
    assert (occurred.year, occurred.month, occurred.day, occurred.hour, occurred.minute) == (year, 12, 2, 14, 5)
