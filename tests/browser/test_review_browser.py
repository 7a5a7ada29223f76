"""The review queue in a real browser: a DSL claims a concern and records the review decision in
place, without a page load, and the queue is readable at a desk (1280 px) and on a phone (390 px).

Screenshots go to test-artifacts/; with VIGIL_PUBLISH_SCREENSHOTS=1 the desktop one is also copied
to benchmarks/screenshots/review-queue.png, which is committed.
"""

import datetime
import os
import shutil

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Concern, ConcernChild, ReviewDecision
from concerns.services.review import concern_claim
from tests.browser.conftest import DESKTOP, PHONE, REPO_ROOT, artifact, sign_in
from tests.factories import ChildFactory, ConcernFactory, category

pytestmark = pytest.mark.browser

MINUTE = datetime.timedelta(minutes=1)


def _concern(cast, *, recorded_ago, deadline_in, children, categories, **kwargs) -> Concern:
    now = timezone.now()
    recorded = now - recorded_ago
    return ConcernFactory(
        site=cast.site_a,
        author=kwargs.pop("author", cast.staff),
        recorded_at=recorded,
        occurred_at=recorded - kwargs.pop("late_by", 20 * MINUTE),
        review_deadline=now + deadline_in,
        escalates_at=now + deadline_in,
        about=children,
        categories=categories,
        **kwargs,
    )


@pytest.fixture
def queue(browser_cast):
    """A morning's queue at Oakfield: a child in immediate danger, an overdue concern that has
    escalated, one the deputy has claimed, and two due this afternoon."""
    cast = browser_cast
    danger = _concern(
        cast,
        recorded_ago=6 * MINUTE,
        deadline_in=9 * MINUTE,
        children=[cast.child_a],
        categories=[category("Physical abuse")],
        immediate_danger=True,
        called_999=True,
        late_by=4 * MINUTE,
    )
    overdue = _concern(
        cast,
        recorded_ago=26 * 60 * MINUTE,
        deadline_in=-3 * 60 * MINUTE - 25 * MINUTE,
        children=[cast.child_a2],
        categories=[category("Neglect"), category("Children missing education")],
        author=cast.staff2,
        late_by=28 * 60 * MINUTE,
    )
    Concern.objects.filter(pk=overdue.pk).update(escalation_level=1)
    claimed = _concern(
        cast,
        recorded_ago=50 * MINUTE,
        deadline_in=4 * 60 * MINUTE,
        children=[ChildFactory(site=cast.site_a, first_name="Dara", last_name="Okonjo", year_group="Year 4")],
        categories=[category("Domestic abuse")],
    )
    concern_claim(user=cast.deputy, concern=claimed)
    waiting = _concern(
        cast,
        recorded_ago=35 * MINUTE,
        deadline_in=4 * 60 * MINUTE + 20 * MINUTE,
        children=[
            ChildFactory(site=cast.site_a, first_name="Eno", last_name="Whitlock", year_group="Year 6"),
            ChildFactory(site=cast.site_a, first_name="Fitz", last_name="Harrowby", year_group="Year 6"),
        ],
        categories=[category("Online safety")],
        author=cast.staff2,
    )
    later = _concern(
        cast,
        recorded_ago=10 * MINUTE,
        deadline_in=5 * 60 * MINUTE,
        children=[ChildFactory(site=cast.site_a, first_name="Gwen", last_name="Castell", year_group="Year 2")],
        categories=[category("Mental health")],
    )
    return {"danger": danger, "overdue": overdue, "claimed": claimed, "waiting": waiting, "later": later}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_dsl_claims_and_reviews_from_the_queue_without_a_page_load(browser_cast, queue, new_context):
    page = new_context(DESKTOP).new_page()
    sign_in(page, browser_cast.dsl)
    page.goto("/review/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.evaluate("window.vigilMarker = 'the same page'")
    row = page.locator(f"#queue-row-{queue['waiting'].pk}")

    row.get_by_role("button", name=f"Claim {queue['waiting'].reference}").click()
    expect(row.get_by_role("status")).to_contain_text(f"You have claimed {queue['waiting'].reference}")
    expect(row).to_contain_text("Claimed by you")

    row.locator("summary").click()
    row.get_by_label("Decision").select_option("speak_to_child")
    row.get_by_label("Rationale").fill("Both boys named the same older pupil. Speak to each with their form tutor.")
    row.locator(".decision-form").get_by_label("Priority").select_option("high")
    row.screenshot(path=str(artifact("review-row-deciding.png")))
    row.get_by_role("button", name="Record the decision").click()

    expect(row).to_contain_text("it has left the queue")
    page.screenshot(path=str(artifact("review-queue-after-decision.png")), full_page=True)
    expect(page.locator("#queue-counts")).to_contain_text("4 awaiting review")
    assert page.evaluate("window.vigilMarker") == "the same page"  # no page load happened
    decision = ReviewDecision.objects.get(concern=queue["waiting"])
    assert decision.decided_by == browser_cast.dsl and decision.decision == "speak_to_child"
    assert Concern.objects.get(pk=queue["waiting"].pk).priority == "high"


def test_a_rationale_left_out_is_asked_for_in_the_row(browser_cast, queue, new_context):
    page = new_context(DESKTOP).new_page()
    sign_in(page, browser_cast.dsl)
    page.goto("/review/")
    row = page.locator(f"#queue-row-{queue['later'].pk}")
    row.locator("summary").click()
    row.get_by_label("Decision").select_option("monitor")
    row.get_by_role("button", name="Record the decision").click()
    expect(row).to_contain_text("Say why: the rationale is part of the record.")
    expect(row.get_by_label("Decision")).to_have_value("monitor")
    assert not ReviewDecision.objects.exists()


def test_someone_elses_claim_is_named_in_place(browser_cast, queue, new_context):
    page = new_context(DESKTOP).new_page()
    sign_in(page, browser_cast.dsl)
    page.goto("/review/")
    concern_claim(user=browser_cast.deputy, concern=queue["later"])  # while the page is open
    row = page.locator(f"#queue-row-{queue['later'].pk}")
    row.get_by_role("button", name=f"Claim {queue['later'].reference}").click()
    expect(row.get_by_role("alert")).to_contain_text("Dev Deputy is reviewing this concern.")
    assert ConcernChild.objects.filter(concern=queue["later"]).exists()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_queue_reads_at_a_desk_and_on_a_phone(browser_cast, queue, new_context, width):
    page = new_context(DESKTOP if width == "desktop" else PHONE).new_page()
    sign_in(page, browser_cast.dsl)
    page.goto("/review/")
    rows = page.locator(".queue-item")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Immediate danger")
    expect(rows.nth(1)).to_contain_text("Overdue by 3 hours")
    expect(page.locator("#queue-counts")).to_contain_text("1 immediate danger")
    _no_sideways_scroll(page)
    shot = artifact(f"review-queue-{width}.png")
    page.screenshot(path=str(shot), full_page=True)
    if width == "desktop" and os.environ.get("VIGIL_PUBLISH_SCREENSHOTS") == "1":
        target = REPO_ROOT / "benchmarks" / "screenshots" / "review-queue.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def test_the_concern_page_triages_in_its_panel(browser_cast, queue, new_context):
    page = new_context(DESKTOP).new_page()
    sign_in(page, browser_cast.dsl)
    concern = queue["overdue"]
    page.goto(f"/concerns/{concern.pk}/")
    panel = page.locator("#triage-panel")
    expect(panel).to_contain_text("Level 1: the DSL team re-alerted")
    expect(panel).to_contain_text("overdue by 3 hours")
    page.evaluate("window.vigilMarker = 'the same page'")
    panel.get_by_role("button", name="Claim it: I am reviewing this").click()
    expect(page.locator("#concern-status")).to_have_text("In review")
    panel.get_by_label("Decision").select_option("early_help")
    panel.get_by_label("Rationale").fill("Attendance down to 71%; mum asked for help with mornings. Early help.")
    panel.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#concern-status")).to_have_text("Open (actions under way)")
    expect(panel).to_contain_text("Review decision by Lee Lead")
    expect(panel.get_by_role("button", name="Close the concern")).to_be_visible()
    page.screenshot(path=str(artifact("concern-review-panel.png")), full_page=True)
    assert page.evaluate("window.vigilMarker") == "the same page"
    assert Concern.objects.get(pk=concern.pk).reviewed_by == browser_cast.dsl
