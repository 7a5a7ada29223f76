"""Casework on a concern: every kind of entry, its checks, the append-only rule, reopening, the
owner, and what an action's assignee sees (issue 9, "Entries on a concern")."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEntry
from concerns import policy
from concerns.choices import (
    CommunicationMethod,
    ConcernStatus,
    EntryKind,
    LawfulBasis,
    MeetingKind,
    Outcome,
    ReferralAgency,
)
from concerns.models import CaseEntry, Concern, EntryImmutable
from concerns.selectors import casework as reads
from concerns.services import casework, review
from tests.factories import ConcernFactory, restricted_category

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL (SQLite has one writer)"
)
TODAY = timezone.localdate


def reviewed(cast, **kwargs) -> Concern:
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, **kwargs)
    review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch.")
    concern.refresh_from_db()
    return concern


def entry_events(concern) -> list[str]:
    entries = AuditEntry.objects.filter(object_id=concern.pk, event__regex=r"^(entry|concern)\.")
    return list(entries.order_by("id").values_list("event", flat=True))


def a_referral(cast, concern, **changes):
    given = {
        "agency": ReferralAgency.SOCIAL_CARE,
        "happened_on": TODAY(),
        "reference": "MASH-7781",
        "spoken_to": "Duty social worker Pat Ellery",
        "text": "Referred for a neglect assessment.",
        **changes,
    }
    return casework.referral_record(user=cast.dsl, concern=concern, **given)


def an_action(cast, concern, assignee=None, **changes):
    given = {"text": "Check the child has a coat.", "due_on": TODAY() + datetime.timedelta(days=2), **changes}
    return casework.action_assign(user=cast.dsl, concern=concern, assignee=assignee or cast.staff2, **given)


# --- every kind of entry --------------------------------------------------------------------


def test_every_kind_of_entry_is_recorded_on_the_ledger_without_its_text(cast):
    concern = reviewed(cast)
    referral = a_referral(cast, concern)
    casework.referral_response_record(user=cast.dsl, referral=referral, text="Assessment opened.", happened_on=TODAY())
    casework.no_referral_record(user=cast.deputy, concern=concern, text="Police not needed: no crime alleged.")
    casework.communication_record(
        user=cast.dsl,
        concern=concern,
        with_whom="School nurse Jo Marley",
        method=CommunicationMethod.PHONE,
        what_shared="That a referral was made.",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        text="So the nurse can check on the child at the drop-in.",
        happened_on=TODAY(),
    )
    casework.meeting_record(
        user=cast.dsl,
        concern=concern,
        meeting_kind=MeetingKind.TAC_TAF,
        happened_on=TODAY(),
        attendees="DSL, class teacher, parent",
        text="Agreed a breakfast club place.",
    )
    casework.note_add(user=cast.deputy, concern=concern, text="Parent phoned back.")
    casework.outcome_record(user=cast.dsl, concern=concern, outcome=Outcome.EARLY_HELP, text="Family agreed support.")
    an_action(cast, concern)
    kinds = [entry.kind for entry in CaseEntry.objects.filter(concern=concern).order_by("id")]
    assert kinds == [
        EntryKind.REFERRAL,
        EntryKind.REFERRAL_RESPONSE,
        EntryKind.NO_REFERRAL,
        EntryKind.COMMUNICATION,
        EntryKind.MEETING,
        EntryKind.NOTE,
        EntryKind.OUTCOME,
        EntryKind.ACTION,
    ]
    assert entry_events(concern)[-8:] == [
        "entry.referral_recorded",
        "entry.referral_response_recorded",
        "entry.no_referral_recorded",
        "entry.communication_recorded",
        "entry.meeting_recorded",
        "entry.note_added",
        "entry.outcome_recorded",
        "entry.action_assigned",
    ]
    ledger = AuditEntry.objects.get(event="entry.referral_recorded")
    assert ledger.additional_data["counts"] == {"entry": referral.pk}
    assert "entry.reference" in ledger.additional_data["fields"]
    assert "MASH-7781" not in str(ledger.additional_data) and "neglect" not in str(ledger.additional_data)


@pytest.mark.parametrize(
    "service, given, field",
    [
        ("referral_record", {"agency": "", "happened_on": None, "text": ""}, {"agency", "happened_on", "text"}),
        (
            "referral_record",
            {"agency": ReferralAgency.OTHER, "happened_on": None, "text": "x"},
            {"agency_other", "happened_on"},
        ),
        ("no_referral_record", {"text": "  "}, {"text"}),
        (
            "communication_record",
            {
                "with_whom": "",
                "method": "pigeon",
                "what_shared": "",
                "lawful_basis": "",
                "text": "",
                "happened_on": None,
            },
            {"with_whom", "method", "what_shared", "lawful_basis", "text", "happened_on"},
        ),
        (
            "communication_record",
            {
                "with_whom": "GP",
                "method": CommunicationMethod.EMAIL,
                "what_shared": "Dates of absence",
                "lawful_basis": LawfulBasis.OTHER,
                "text": "x",
                "happened_on": TODAY(),
            },
            {"lawful_basis_detail"},
        ),
        (
            "meeting_record",
            {"meeting_kind": "party", "happened_on": None, "attendees": "", "text": ""},
            {"meeting_kind", "happened_on", "attendees", "text"},
        ),
        ("note_add", {"text": "\x00"}, {"text"}),
        ("note_add", {"text": "x", "happened_on": TODAY() + datetime.timedelta(days=1)}, {"happened_on"}),
        ("outcome_record", {"outcome": "", "text": ""}, {"outcome", "text"}),
        ("action_assign", {"text": "", "assignee": None, "due_on": None}, {"text", "assignee", "due_on"}),
        ("action_assign", {"text": "x", "assignee": "admin", "due_on": "yesterday"}, {"assignee", "due_on"}),
    ],
)
def test_bad_input_says_what_is_wrong_field_by_field_and_saves_nothing(cast, service, given, field):
    concern = reviewed(cast)
    given = dict(given)
    if given.get("assignee") == "admin":
        given["assignee"] = cast.admin
    if given.get("due_on") == "yesterday":
        given["due_on"] = TODAY() - datetime.timedelta(days=1)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as invalid:
        getattr(casework, service)(user=cast.dsl, concern=concern, **given)
    assert set(invalid.value.message_dict) == field
    assert all(message.strip() for messages in invalid.value.message_dict.values() for message in messages)
    assert not CaseEntry.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["staff", "admin", "auditor", "dsl_b"])
def test_only_the_sites_dsl_team_adds_entries(cast, who):
    concern = reviewed(cast)
    with pytest.raises(PermissionDenied):
        casework.note_add(user=getattr(cast, who), concern=concern, text="Not mine to add.")
    assert not CaseEntry.objects.exists()


def test_a_deputy_adds_nothing_to_a_restricted_concern_they_cannot_read(cast):
    concern = reviewed(cast, categories=[restricted_category()])
    with pytest.raises(PermissionDenied):
        casework.note_add(user=cast.deputy, concern=concern, text="x")
    assert casework.note_add(user=cast.dsl, concern=concern, text="x").recorded_by == cast.dsl


def test_entries_wait_for_the_review_decision_and_stop_at_closing(cast):
    waiting = ConcernFactory(site=cast.site_a, author=cast.staff)
    with pytest.raises(ValidationError, match="review decision"):
        casework.note_add(user=cast.dsl, concern=waiting, text="Too soon.")
    concern = reviewed(cast)
    assert concern.status == ConcernStatus.OPEN
    review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.NO_FURTHER_ACTION, reason="Done.")
    with pytest.raises(ValidationError, match="closed"):
        casework.note_add(user=cast.dsl, concern=concern, text="Too late.")
    assert not CaseEntry.objects.exists()


# --- append-only ----------------------------------------------------------------------------


def test_a_saved_entry_cannot_be_changed_or_deleted(cast):
    concern = reviewed(cast)
    note = casework.note_add(user=cast.dsl, concern=concern, text="As first written.")
    note.text = "Quietly rewritten."
    with pytest.raises(EntryImmutable):
        note.save()
    with pytest.raises(EntryImmutable):
        note.delete()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        CaseEntry.objects.filter(pk=note.pk).update(text="Rewritten behind the model's back.")
    assert CaseEntry.objects.get(pk=note.pk).text == "As first written."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's guard against DELETE is the model's")
def test_the_database_refuses_to_delete_an_entry(cast):
    concern = reviewed(cast)
    note = casework.note_add(user=cast.dsl, concern=concern, text="Kept.")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        CaseEntry.objects.filter(pk=note.pk).delete()
    assert CaseEntry.objects.filter(pk=note.pk).exists()


def test_a_correction_is_a_later_entry_and_is_made_once(cast):
    concern = reviewed(cast)
    referral = a_referral(cast, concern, reference="MASH-0001")
    fixed = a_referral(cast, concern, reference="MASH-1000", corrects=referral)
    assert CaseEntry.objects.get(pk=referral.pk).reference == "MASH-0001"
    with pytest.raises(ValidationError) as twice:
        a_referral(cast, concern, reference="MASH-1001", corrects=referral)
    assert "corrects" in twice.value.message_dict
    with pytest.raises(ValidationError) as other_kind:
        casework.outcome_record(user=cast.dsl, concern=concern, outcome=Outcome.EARLY_HELP, text="x", corrects=fixed)
    assert "corrects" in other_kind.value.message_dict
    casework.note_add(user=cast.dsl, concern=concern, text="The reference was mistyped.", corrects=fixed)
    elsewhere = reviewed(cast)
    with pytest.raises(ValidationError):
        casework.note_add(user=cast.dsl, concern=elsewhere, text="x", corrects=referral)
    entries = reads.entries_of(cast.dsl, concern)
    assert [(entry.kind, entry.is_corrected) for entry in entries] == [
        (EntryKind.REFERRAL, True),
        (EntryKind.REFERRAL, True),
        (EntryKind.NOTE, False),
    ]


# --- actions --------------------------------------------------------------------------------


def test_the_assignee_completes_an_action_with_a_note_and_it_leaves_their_list(cast):
    concern = reviewed(cast)
    action = an_action(cast, concern)
    listed = reads.my_actions(cast.staff2)
    assert [(item.pk, item.text, item.concern_reference) for item in listed] == [
        (action.pk, "Check the child has a coat.", concern.reference)
    ]
    assert reads.next_open_action(cast.dsl, concern) == action
    with pytest.raises(PermissionDenied):
        casework.action_complete(user=cast.staff, action=action, text="Not mine.")
    with pytest.raises(ValidationError) as no_note:
        casework.action_complete(user=cast.staff2, action=action, text="")
    assert set(no_note.value.message_dict) == {"text"}
    done = casework.action_complete(user=cast.staff2, action=action, text="Gave a coat from lost property.")
    assert (done.kind, done.regarding, done.recorded_by) == (EntryKind.ACTION_DONE, action, cast.staff2)
    with pytest.raises(ValidationError, match="already"):
        casework.action_complete(user=cast.dsl, action=action, text="Again.")
    assert reads.my_actions(cast.staff2) == []
    assert reads.next_open_action(cast.dsl, concern) is None
    assert "entry.action_completed" in entry_events(concern)


def test_an_assignee_sees_their_action_and_nothing_else_of_the_concern(cast):
    concern = reviewed(cast)
    casework.note_add(user=cast.dsl, concern=concern, text="Private casework.")
    action = an_action(cast, concern)
    assert policy.may_see_action(cast.staff2, action)
    assert not policy.can_read(cast.staff2, concern)
    assert not policy.can_read_casework(cast.staff2, concern)
    assert reads.entries_of(cast.staff2, concern) == []
    assert reads.next_open_action(cast.staff2, concern) is None
    assert reads.my_action(cast.staff2, action.pk).text == "Check the child has a coat."
    for outsider in (cast.staff, cast.dsl_b, cast.admin):
        assert not policy.may_see_action(outsider, action)
        assert reads.my_action(outsider, action.pk) is None
    assert policy.may_see_action(cast.dsl, action) and policy.may_see_action(cast.auditor, action)
    assert not hasattr(reads.my_actions(cast.staff2)[0], "concern")


def test_an_action_is_asked_only_of_the_sites_staff_and_dsl_team(cast):
    concern = reviewed(cast)
    for person in (cast.admin, cast.auditor, cast.staff_b, cast.ended):
        with pytest.raises(ValidationError) as invalid:
            an_action(cast, concern, assignee=person)
        assert set(invalid.value.message_dict) == {"assignee"}
    assert an_action(cast, concern, assignee=cast.deputy).assignee == cast.deputy


def test_an_action_of_a_closed_concern_leaves_the_list(cast):
    concern = reviewed(cast)
    action = an_action(cast, concern)
    review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.NO_FURTHER_ACTION, reason="Done.")
    assert reads.my_actions(cast.staff2) == []
    with pytest.raises(ValidationError):
        casework.action_complete(user=cast.staff2, action=action, text="Late.")


def test_a_referral_response_must_not_come_before_the_referral(cast):
    concern = reviewed(cast)
    referral = a_referral(cast, concern)
    with pytest.raises(ValidationError) as invalid:
        casework.referral_response_record(
            user=cast.dsl, referral=referral, text="x", happened_on=TODAY() - datetime.timedelta(days=400)
        )
    assert set(invalid.value.message_dict) == {"happened_on"}


def test_the_chronology_is_in_the_order_things_happened_in_constant_queries(cast, django_assert_num_queries):
    concern = ConcernFactory(
        site=cast.site_a, author=cast.staff, occurred_at=timezone.now() - datetime.timedelta(days=30)
    )
    review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch.")
    casework.note_add(user=cast.dsl, concern=concern, text="Recorded first, happened later.")
    a_referral(cast, concern, happened_on=TODAY() - datetime.timedelta(days=10))
    for number in range(5):
        an_action(cast, concern, text=f"Action {number}")
    concern.refresh_from_db()
    # The policy (memberships twice outside a request, the concern), the entries, their files.
    with django_assert_num_queries(5):
        entries = reads.entries_of(cast.dsl, concern)
        names = [(entry.recorded_by.full_name, entry.assignee and entry.assignee.full_name) for entry in entries]
    assert entries[0].kind == EntryKind.REFERRAL and len(names) == 7


# --- reopening and the owner ----------------------------------------------------------------


def test_a_closed_concern_is_reopened_with_a_reason(cast):
    concern = reviewed(cast)
    with pytest.raises(ValidationError, match="Only a closed"):
        casework.concern_reopen(user=cast.dsl, concern=concern, reason="x")
    review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.NO_FURTHER_ACTION, reason="Done.")
    with pytest.raises(PermissionDenied):
        casework.concern_reopen(user=cast.staff, concern=concern, reason="x")
    with pytest.raises(ValidationError) as no_reason:
        casework.concern_reopen(user=cast.dsl, concern=concern, reason=" ")
    assert set(no_reason.value.message_dict) == {"text"}
    entry = casework.concern_reopen(user=cast.dsl, concern=concern, reason="A second disclosure today.")
    concern.refresh_from_db()
    assert (concern.status, concern.closed_at, entry.kind) == (ConcernStatus.OPEN, None, EntryKind.REOPENED)
    assert concern.closures.count() == 1
    assert "concern.reopened" in entry_events(concern)
    casework.note_add(user=cast.dsl, concern=concern, text="Open again.")


def test_the_owner_is_changed_with_the_reason(cast):
    concern = reviewed(cast)
    with pytest.raises(ValidationError) as no_reason:
        casework.concern_owner_change(user=cast.dsl, concern=concern, owner=cast.deputy, reason="")
    assert set(no_reason.value.message_dict) == {"text"}
    with pytest.raises(ValidationError) as not_team:
        casework.concern_owner_change(user=cast.dsl, concern=concern, owner=cast.staff, reason="Cover.")
    assert set(not_team.value.message_dict) == {"owner"}
    entry = casework.concern_owner_change(user=cast.dsl, concern=concern, owner=cast.deputy, reason="DSL on leave.")
    concern.refresh_from_db()
    assert (concern.owner, entry.assignee, entry.text) == (cast.deputy, cast.deputy, "DSL on leave.")
    assert entry_events(concern)[-2:] == ["concern.owner_assigned", "concern.owner_changed"]


# --- at the same time -----------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_action_completed_twice_at_once_is_done_once(cast):
    concern = reviewed(cast)
    action = an_action(cast, concern)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def complete(user) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(casework.action_complete(user=user, action=action, text=f"Done by {user.email}"))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(user,)) for user in (cast.staff2, cast.dsl)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["CaseEntry", "ValidationError"], outcomes
    assert CaseEntry.objects.filter(regarding=action, kind=EntryKind.ACTION_DONE).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_and_a_closure_at_once_never_leave_an_entry_on_a_closed_concern(cast):
    concern = reviewed(cast)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run(work) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    close = lambda: review.concern_close(user=cast.dsl, concern=concern, outcome="no_further_action", reason="Done.")  # noqa: E731
    note = lambda: casework.note_add(user=cast.deputy, concern=concern, text="At the same moment.")  # noqa: E731
    threads = [threading.Thread(target=run, args=(work,)) for work in (close, note)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Whichever took the concern's lock first, the other saw what it did: a note then the closure,
    # or the closure and a note refused.
    assert review.Closure.objects.filter(concern=concern).count() == 1, outcomes
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert CaseEntry.objects.filter(concern=concern).count() == (0 if refused else 1), outcomes
    if not refused:
        assert CaseEntry.objects.get(concern=concern).recorded_at <= review.Closure.objects.get().closed_at
