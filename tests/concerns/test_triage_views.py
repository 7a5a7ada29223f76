"""Triage from the queue and the concern's page: each action as a plain form (post, then back
with a message) and with htmx (the row or the panel swapped); conflicts say who has the concern;
bad input is shown again, as typed, and saves nothing; the author sees only when it was reviewed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from concerns.choices import ConcernStatus
from concerns.models import Closure, Concern, ReviewDecision
from concerns.services.review import concern_claim, concern_review
from tests.conftest import client_for
from tests.factories import ConcernFactory, restricted_category

QUEUE = reverse("concerns:review_queue")


@pytest.fixture
def concern(cast):
    now = timezone.now()
    return ConcernFactory(
        site=cast.site_a,
        author=cast.staff,
        about=[cast.child_a],
        review_deadline=now + datetime.timedelta(hours=3),
        escalates_at=now + datetime.timedelta(hours=3),
    )


def url(name: str, concern) -> str:
    return reverse(f"concerns:{name}", args=[concern.pk])


def htmx(target: str, page: str = QUEUE) -> dict:
    """The headers htmx sends: it asks for the part of the page `target` names."""
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target, "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}


def row_of(concern) -> dict:
    return htmx(f"queue-row-{concern.pk}")


def panel_of(concern) -> dict:
    return htmx("triage-panel", url("detail", concern))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_after(client, response) -> str:
    return text(client.get(response["Location"]))


def fresh(concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


# --- claim and release ----------------------------------------------------------------------


def test_claiming_from_the_queue_without_javascript_goes_back_to_the_queue_with_a_message(cast, concern):
    dsl = client_for(cast.dsl)
    response = dsl.post(url("review_claim", concern), {"next": f"{QUEUE}?overdue="})
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?overdue="
    assert fresh(concern).claimed_by == cast.dsl and fresh(concern).status == ConcernStatus.IN_REVIEW
    assert f"You have claimed {concern.reference}" in messages_after(dsl, response)
    assert AuditEntry.objects.filter(event="concern.claimed", object_id=concern.pk).count() == 1


def test_claiming_with_htmx_swaps_the_row_and_the_counts(cast, concern):
    response = client_for(cast.dsl).post(url("review_claim", concern), {"next": QUEUE}, **row_of(concern))
    assert response.status_code == 200
    page = text(response)
    assert page.startswith(f'<li class="queue-item card" id="queue-row-{concern.pk}">')
    assert "Claimed by you" in page and f"You have claimed {concern.reference}" in page
    assert 'id="queue-counts" class="queue-counts" hx-swap-oob="true"' in page
    assert "<html" not in page  # the row only, not a whole page
    assert url("review_release", concern) in page


def test_claiming_on_the_concern_page_with_htmx_swaps_its_panel(cast, concern):
    response = client_for(cast.deputy).post(url("review_claim", concern), **panel_of(concern))
    page = text(response)
    assert response.status_code == 200 and page.startswith('<section id="triage-panel"')
    assert (
        "Dev Deputy (you)" in page and 'id="concern-status" class="badge status-in_review" hx-swap-oob="true"' in page
    )


def test_a_second_claim_is_told_who_has_the_concern(cast, concern):
    concern_claim(user=cast.deputy, concern=concern)
    dsl = client_for(cast.dsl)
    plain = dsl.post(url("review_claim", concern), {"next": QUEUE})
    assert plain.status_code == 302 and "Dev Deputy is reviewing this concern." in messages_after(dsl, plain)
    swapped = dsl.post(url("review_claim", concern), **row_of(concern))
    assert swapped.status_code == 409 and "Dev Deputy is reviewing this concern." in text(swapped)
    assert "<strong>Dev Deputy</strong> is reviewing this" in text(swapped)  # the row as it is now
    assert fresh(concern).claimed_by == cast.deputy


def test_release_gives_the_concern_back_and_only_its_holder_may(cast, concern):
    concern_claim(user=cast.deputy, concern=concern)
    refused = client_for(cast.dsl).post(url("review_release", concern), **row_of(concern))
    assert refused.status_code == 409 and fresh(concern).claimed_by == cast.deputy
    released = client_for(cast.deputy).post(url("review_release", concern), **row_of(concern))
    assert released.status_code == 200 and "Not claimed" in text(released)
    assert fresh(concern).claimed_by is None and fresh(concern).status == ConcernStatus.SUBMITTED


# --- priority -------------------------------------------------------------------------------


def test_setting_the_priority_with_and_without_htmx(cast, concern):
    dsl = client_for(cast.dsl)
    assert dsl.post(url("review_priority", concern), {"priority": "high", "next": QUEUE}).status_code == 302
    assert fresh(concern).priority == "high"
    swapped = dsl.post(url("review_priority", concern), {"priority": "urgent"}, **row_of(concern))
    assert swapped.status_code == 200 and "Urgent priority" in text(swapped)
    assert fresh(concern).priority == "urgent"


@pytest.mark.parametrize("headers", [{}, "row", "panel"])
def test_a_priority_that_is_not_one_of_the_choices_saves_nothing(cast, concern, headers):
    extra = {"row": row_of(concern), "panel": panel_of(concern)}.get(headers, {}) if headers else {}
    response = client_for(cast.dsl).post(url("review_priority", concern), {"priority": "whenever"}, **extra)
    assert response.status_code == 400 and "Choose low, medium, high or urgent." in text(response)
    assert fresh(concern).priority == ""


# --- the review decision --------------------------------------------------------------------


def test_recording_the_decision_from_the_concern_page_without_javascript(cast, concern):
    dsl = client_for(cast.dsl)
    response = dsl.post(
        url("review_decision", concern),
        {
            "decision": "early_help",
            "rationale": "Family open to support.",
            "priority": "medium",
            "owner": cast.deputy.pk,
            "next": url("detail", concern),
        },
    )
    assert response.status_code == 302 and response["Location"] == url("detail", concern)
    reviewed = fresh(concern)
    assert reviewed.reviewed_by == cast.dsl and reviewed.status == ConcernStatus.OPEN
    assert (reviewed.priority, reviewed.owner) == ("medium", cast.deputy)
    assert ReviewDecision.objects.get(concern=concern).rationale == "Family open to support."
    page = messages_after(dsl, response)
    assert f"Your review of {concern.reference} is recorded" in page and "Early help" in page


def test_recording_the_decision_in_a_queue_row_takes_it_out_of_the_queue(cast, concern):
    response = client_for(cast.dsl).post(
        url("review_decision", concern), {"decision": "monitor", "rationale": "Watch at lunch."}, **row_of(concern)
    )
    page = text(response)
    assert response.status_code == 200 and "it has left the queue" in page
    assert re.search(
        r'id="queue-counts"[^>]*hx-swap-oob="true"> <a[^>]*><span class="queue-count-number">0</span>', page
    )
    assert fresh(concern).is_reviewed


def test_the_decision_form_opens_in_the_row_for_htmx_and_on_the_concern_page_otherwise(cast, concern):
    dsl = client_for(cast.dsl)
    form = dsl.get(url("review_decision", concern), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="rationale"' in text(form) and "<html" not in text(form)
    assert f'hx-target="#queue-row-{concern.pk}"' in text(form)
    plain = dsl.get(url("review_decision", concern))
    assert plain.status_code == 302 and plain["Location"] == url("detail", concern) + "#triage-panel"


@pytest.mark.parametrize("where", ["page", "row", "panel"])
def test_a_decision_without_a_rationale_is_shown_again_as_typed_and_saves_nothing(cast, concern, where):
    headers = {"page": {}, "row": row_of(concern), "panel": panel_of(concern)}[where]
    response = client_for(cast.dsl).post(
        url("review_decision", concern),
        {"decision": "refer", "rationale": "   ", "priority": "high", "owner": cast.deputy.pk},
        **headers,
    )
    page = text(response)
    assert response.status_code == 400
    assert "Say why: the rationale is part of the record." in page
    assert re.search(r'id="decision-\d+-rationale_error"', page)  # by the field
    assert '<option value="refer" selected>' in page and '<option value="high" selected>' in page
    assert f'<option value="{cast.deputy.pk}" selected>' in page
    assert not ReviewDecision.objects.exists() and not fresh(concern).is_reviewed
    assert fresh(concern).priority == ""


def test_an_owner_who_cannot_read_the_concern_is_refused_and_nothing_is_saved(cast):
    restricted = ConcernFactory(site=cast.site_a, author=cast.staff, categories=[restricted_category()])
    response = client_for(cast.dsl).post(
        url("review_decision", restricted),
        {"decision": "monitor", "rationale": "Watch.", "owner": cast.deputy.pk},
    )
    assert response.status_code == 400 and "Choose a member of this site" in text(response)
    assert not ReviewDecision.objects.exists()


def test_a_second_review_is_told_who_reviewed_it(cast, concern):
    concern_review(user=cast.deputy, concern=concern, decision="monitor", rationale="Watch.")
    response = client_for(cast.dsl).post(
        url("review_decision", concern), {"decision": "refer", "rationale": "Refer."}, **panel_of(concern)
    )
    assert response.status_code == 409 and "Dev Deputy has already reviewed this concern." in text(response)
    assert ReviewDecision.objects.count() == 1


def test_a_decision_on_a_concern_someone_else_has_claimed_is_refused(cast, concern):
    concern_claim(user=cast.deputy, concern=concern)
    response = client_for(cast.dsl).post(
        url("review_decision", concern), {"decision": "refer", "rationale": "Refer."}, **row_of(concern)
    )
    assert response.status_code == 409 and "Dev Deputy is reviewing this concern." in text(response)
    assert not ReviewDecision.objects.exists()


RATIONALE = "Spoke to the class teacher; the bruising matches the PE incident log of Tuesday."


@pytest.mark.parametrize("where", ["queue row", "concern page", "plain form"])
def test_a_rationale_typed_while_a_colleague_claimed_the_concern_is_kept_not_lost(cast, concern, where):
    concern_claim(user=cast.deputy, concern=concern)
    headers = {"queue row": row_of(concern), "concern page": panel_of(concern), "plain form": {}}[where]
    client = client_for(cast.dsl)
    response = client.post(url("review_decision", concern), {"decision": "monitor", "rationale": RATIONALE}, **headers)
    if where == "plain form":  # back to the page it was posted from, with the message
        assert response.status_code == 302
        said = messages_after(client, response)
    else:
        assert response.status_code == 409
        said = text(response)
    assert "Dev Deputy is reviewing this concern." in said and "Nothing of yours was saved" in said
    assert RATIONALE in said
    assert not ReviewDecision.objects.exists()


# --- owner and closing ----------------------------------------------------------------------


@pytest.fixture
def reviewed(cast, concern):
    concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch at lunchtimes.")
    return concern


def test_the_owner_is_assigned_and_a_stranger_cannot_be(cast, reviewed):
    dsl = client_for(cast.dsl)
    assert dsl.post(url("review_owner", reviewed), {"owner": cast.deputy.pk}).status_code == 302
    assert fresh(reviewed).owner == cast.deputy
    refused = dsl.post(url("review_owner", reviewed), {"owner": cast.staff2.pk}, **panel_of(reviewed))
    assert refused.status_code == 400 and "Choose a member of this site" in text(refused)
    assert fresh(reviewed).owner == cast.deputy


def test_closing_needs_an_outcome_and_a_reason_and_keeps_what_was_typed(cast, reviewed):
    dsl = client_for(cast.dsl)
    response = dsl.post(url("review_close", reviewed), {"outcome": "resolved_in_school", "reason": ""})
    page = text(response)
    assert response.status_code == 400 and "Say why the concern can be closed." in page
    assert '<option value="resolved_in_school" selected>' in page
    assert not Closure.objects.exists() and fresh(reviewed).status == ConcernStatus.OPEN
    closed = dsl.post(
        url("review_close", reviewed), {"outcome": "resolved_in_school", "reason": "Coat found."}, **panel_of(reviewed)
    )
    assert closed.status_code == 200 and "is closed" in text(closed) and "Resolved within the school" in text(closed)
    assert fresh(reviewed).status == ConcernStatus.CLOSED


def test_a_concern_is_not_closed_before_it_is_reviewed(cast, concern):
    response = client_for(cast.dsl).post(url("review_close", concern), {"outcome": "no_further_action", "reason": "x"})
    assert response.status_code == 400 and "A concern is reviewed before it is closed." in text(response)
    assert not Closure.objects.exists()


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("staff", 403), ("auditor", 403), ("staff2", 404), ("admin", 404), ("dsl_b", 404)]
)
@pytest.mark.parametrize("headers", [False, True])
def test_only_the_dsl_team_of_the_site_triages(cast, concern, who, status, headers):
    extra = row_of(concern) if headers else {}
    response = client_for(getattr(cast, who)).post(url("review_claim", concern), **extra)
    assert response.status_code == status and fresh(concern).claimed_by is None


def test_a_deputy_cannot_triage_a_restricted_concern_nobody_shared(cast):
    restricted = ConcernFactory(site=cast.site_a, author=cast.staff, categories=[restricted_category()])
    assert client_for(cast.deputy).post(url("review_claim", restricted)).status_code == 404
    danger = ConcernFactory(
        site=cast.site_a, author=cast.staff, categories=[restricted_category()], immediate_danger=True
    )
    assert client_for(cast.deputy).post(url("review_claim", danger)).status_code == 302
    assert fresh(danger).claimed_by == cast.deputy


def test_a_signed_out_htmx_request_is_sent_to_sign_in_as_a_whole_page(cast, concern):
    response = client_for(None).post(url("review_claim", concern), **row_of(concern))
    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("accounts:login") + "?next=")
    assert fresh(concern).claimed_by is None


def test_next_must_be_one_of_our_pages(cast, concern):
    response = client_for(cast.dsl).post(url("review_claim", concern), {"next": "https://elsewhere.example/"})
    assert response["Location"] == url("detail", concern)


# --- what the concern page and "My concerns" show ---------------------------------------------


def test_the_concern_page_shows_the_dsl_team_the_review_and_its_forms(cast, reviewed):
    Concern.objects.filter(pk=reviewed.pk).update(escalation_level=1)
    page = text(client_for(cast.deputy).get(url("detail", reviewed)))
    assert 'id="triage-panel"' in page and "To be reviewed by" in page and "Lee Lead" in page
    assert "Level 1: the DSL team re-alerted" in page and "Watch at lunchtimes." in page
    assert url("review_close", reviewed) in page and "htmx.min.js" in page
    auditor = text(client_for(cast.auditor).get(url("detail", reviewed)))
    assert "Watch at lunchtimes." in auditor and url("review_close", reviewed) not in auditor


def test_the_author_sees_when_it_was_reviewed_but_not_what_or_by_whom(cast, reviewed):
    staff = client_for(cast.staff)
    detail = text(staff.get(url("detail", reviewed)))
    assert "By the DSL team," in detail and 'id="triage-panel"' not in detail
    assert "Watch at lunchtimes." not in detail and "Lee Lead" not in detail and "Monitor" not in detail
    mine = text(staff.get(reverse("concerns:mine")))
    reviewed_at = timezone.localtime(fresh(reviewed).reviewed_at)
    assert f"{reviewed_at.day} {reviewed_at:%b %Y, %H:%M}" in mine
    assert "Watch at lunchtimes." not in mine and "Lee Lead" not in mine and "Monitor" not in mine


def test_my_concerns_says_not_yet_for_a_concern_awaiting_review(cast, concern):
    assert "Not yet" in text(client_for(cast.staff).get(reverse("concerns:mine")))


def test_the_concern_page_for_the_dsl_runs_a_fixed_number_of_queries(cast, concern, django_assert_max_num_queries):
    client = client_for(cast.dsl)
    client.get(url("detail", concern))
    with django_assert_max_num_queries(32):
        assert client.get(url("detail", concern)).status_code == 200


# --- mends after review -----------------------------------------------------------------------


@pytest.mark.parametrize("current", ["http://[", "http://testserver/review/?site=%C2%B2", "/review/?site=" + "9" * 40])
def test_a_strange_current_address_from_the_browser_is_ignored_not_a_500(cast, concern, current):
    headers = {**row_of(concern), "HTTP_HX_CURRENT_URL": current}
    response = client_for(cast.dsl).post(url("review_claim", concern), {"next": QUEUE}, **headers)
    assert response.status_code == 200
    assert fresh(concern).claimed_by == cast.dsl


@pytest.mark.parametrize("where", ["row", "panel"])
def test_a_swapped_row_or_panel_is_on_the_ledger_as_a_read(cast, concern, where):
    from audit.models import AuditEntry

    headers = row_of(concern) if where == "row" else panel_of(concern)
    before = AuditEntry.objects.filter(actor=cast.dsl).count()
    response = client_for(cast.dsl).post(url("review_claim", concern), {"next": QUEUE}, **headers)
    assert response.status_code == 200
    read = AuditEntry.objects.filter(actor=cast.dsl, event__in=["concern.queue_viewed", "concern.viewed"])
    assert read.count() == 1 and AuditEntry.objects.filter(actor=cast.dsl).count() > before
    assert cast.child_a.pk in read.get().additional_data["object_ids"]


def test_releasing_asks_first_so_a_double_click_on_claim_does_not_give_it_back(cast, concern):
    dsl = client_for(cast.dsl)
    row = text(dsl.post(url("review_claim", concern), {"next": QUEUE}, **row_of(concern)))
    panel = text(dsl.get(url("detail", concern)))
    assert f'hx-confirm="Release {concern.reference} for someone else?"' in row
    assert f'hx-confirm="Release {concern.reference} for someone else to review?"' in panel
