"""The rules of recording live in the service: any path that submits a concern meets them.

Each rule is asked of concern_submit directly, as demo data, an import or a later API would call
it; the form shows the very same problems next to its fields.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerns.models import Attachment, Category, Concern, Notification
from concerns.services.recording import ChildInConcern, Mark, concern_submit
from tests.concerns.helpers import PNG_BYTES, record_url, valid_post
from tests.factories import category


def _details(cast, **overrides) -> dict:
    """A complete, valid concern about Addy, as the service takes it."""
    details = {
        "author": cast.staff,
        "submission_key": uuid.uuid4(),
        "children": [ChildInConcern(child=cast.child_a, role="subject")],
        "categories": [category("Neglect")],
        "occurred_at": timezone.now() - datetime.timedelta(minutes=1),
        "is_disclosure": False,
        "child_words": "",
        "observations": "Came in without a coat on a cold morning.",
        "location": "",
        "immediate_danger": False,
        "called_999": None,
        "delay_reason": "",
        "body_marks": [],
        "named_recipients": [],
        "files": [],
    }
    return {**details, **{name: value(cast) if callable(value) else value for name, value in overrides.items()}}


def _retired_category() -> Category:
    return Category.objects.create(name="Retired kind", guidance="No longer used.", is_active=False)


def _many_files(count: int) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"photo{i}.png", PNG_BYTES) for i in range(count)]


BROKEN_RULES = {
    "a time in the future": (
        {"occurred_at": lambda cast: timezone.now() + datetime.timedelta(hours=2)},
        "occurred_at",
        "The time it happened cannot be in the future.",
    ),
    "before the child was born": (
        {"occurred_at": datetime.datetime(2014, 1, 1, 10, tzinfo=datetime.UTC), "delay_reason": "Old."},
        "occurred_at",
        "That is before Addy Fernsby was born.",
    ),
    "late without a reason": (
        {"occurred_at": lambda cast: timezone.now() - datetime.timedelta(days=2), "delay_reason": "  "},
        "delay_reason",
        "Say why this is being recorded on a later day than it happened.",
    ),
    "a disclosure without the child's words": (
        {"is_disclosure": True, "child_words": " "},
        "child_words",
        "Write down the child's exact words: they disclosed something.",
    ),
    "immediate danger without a 999 answer": (
        {"immediate_danger": True, "called_999": None},
        "called_999",
        "Say whether 999 has been called.",
    ),
    "naming someone outside the DSL team": (
        {"named_recipients": lambda cast: [cast.staff2]},
        "named_recipients",
        "Name only members of the DSL team of the child's school.",
    ),
    "naming another school's DSL": (
        {"named_recipients": lambda cast: [cast.dsl, cast.dsl_b]},
        "named_recipients",
        "Name only members of the DSL team of the child's school.",
    ),
    "no category": ({"categories": []}, "categories", "Choose at least one category."),
    "a retired category": (
        {"categories": lambda cast: [category("Neglect"), _retired_category()]},
        "categories",
        "Choose only categories that are in use",
    ),
    "nothing described": ({"observations": "   "}, "observations", "Describe what happened."),
    "a null byte in the account": (
        {"observations": "Came in\x00 late."},
        "observations",
        "Remove the unreadable character",
    ),
    "a mark off the outline": (
        {"body_marks": [Mark(side="front", x=Decimal("140"), y=Decimal("20"), note="")]},
        "body_map",
        "off the outline",
    ),
    "a mark on a third side": (
        {"body_marks": [Mark(side="top", x=Decimal("40"), y=Decimal("20"), note="")]},
        "body_map",
        "off the outline",
    ),
    "a long mark note": (
        {"body_marks": [Mark(side="back", x=Decimal("40"), y=Decimal("20"), note="x" * 501)]},
        "body_map",
        "at most 500 characters",
    ),
    "a null byte in a mark note": (
        {"body_marks": [Mark(side="back", x=Decimal("40"), y=Decimal("20"), note="red\x00mark")]},
        "body_map",
        "unreadable character",
    ),
    "too many files": ({"files": lambda cast: _many_files(11)}, "files", "Attach at most 10 files"),
    "a file that is not what it says": (
        {"files": [SimpleUploadedFile("report.pdf", PNG_BYTES)]},
        "files",
        "is not really a PDF file",
    ),
    "no child": ({"children": []}, "children", "Choose the child this concern is about."),
}


@pytest.mark.parametrize("overrides, field, message", BROKEN_RULES.values(), ids=BROKEN_RULES.keys())
def test_the_service_refuses_a_broken_rule_by_the_form_field_it_belongs_to(cast, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        concern_submit(**_details(cast, **overrides))
    assert field in refused.value.message_dict
    assert any(message in text for text in refused.value.message_dict[field])
    assert not Concern.objects.exists() and not Attachment.objects.exists() and not Notification.objects.exists()


def test_every_problem_is_given_at_once(cast):
    with pytest.raises(ValidationError) as refused:
        concern_submit(
            **_details(
                cast, categories=[], is_disclosure=True, immediate_danger=True, named_recipients=lambda c: [c.staff2]
            )
        )
    assert set(refused.value.message_dict) == {"categories", "child_words", "called_999", "named_recipients"}


def test_the_service_accepts_what_meets_every_rule(cast):
    concern, created = concern_submit(
        **_details(
            cast,
            occurred_at=lambda cast: timezone.now() - datetime.timedelta(days=3),
            delay_reason="On a residential trip with no signal.",
            is_disclosure=True,
            child_words="Don't tell my mum.",
            immediate_danger=True,
            called_999=False,
            named_recipients=lambda cast: [cast.deputy],
            body_marks=[Mark(side="front", x=Decimal("50"), y=Decimal("40"), note="Bruise")],
            files=lambda cast: _many_files(10),
        )
    )
    assert created and concern.attachments.count() == 10 and list(concern.named_recipients.all()) == [cast.deputy]


def test_a_rule_the_service_finds_is_shown_next_to_its_field_not_a_500(cast, as_user, monkeypatch):
    """Something can change between the form's check and the submission (a category retired, a DSL
    leaving); whatever the service refuses is shown on the form with what the person typed."""
    monkeypatch.setattr("concerns.forms.recording.concern_problems", lambda **details: {})
    post = valid_post(cast.child_a, child_words="", observations="Said something about home, then went quiet.")
    response = as_user(cast.staff).post(record_url(), post)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'id="id_child_words_error"' in response.text
    assert "Write down the child&#x27;s exact words" in response.text
    assert "Said something about home, then went quiet." in response.text
    assert not Concern.objects.exists()
