"""Casework: what the DSL team adds to a reviewed concern, each entry through one service here.

Every service is keyword-only and one transaction: it locks the concern's row (so an entry never
lands on a concern being closed or reopened at the same moment), checks the policy (403 as
PermissionDenied), checks the input (ValidationError keyed by the CaseEntry field names, one
message each, nothing saved), saves one append-only CaseEntry and writes a named ledger event
about the concern (its children's ids, the names of the fields written and the entry's id: never
their text).

Entries are added to a reviewed concern that is not closed: the review decision is what opens it
(concerns.services.review), and reopening a closed concern (concern_reopen) opens it again.
Corrections are later entries: pass `corrects=` an earlier entry of the same concern, of the same
kind (or correct anything with a note).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.choices import (
    CommunicationMethod,
    ConcernStatus,
    EntryKind,
    LawfulBasis,
    MeetingKind,
    Outcome,
    ReferralAgency,
    SpecialCategoryCondition,
)
from concerns.models import CaseEntry, Concern
from concerns.services.review import concern_owner_assign

if TYPE_CHECKING:
    from accounts.models import User

Problems = dict[str, str]


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def _locked_for_casework(user: User, concern: Concern) -> Concern:
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if not policy.can_record_entry(user, locked):
        raise PermissionDenied("Only the DSL team of the concern's site adds to its record.")
    return locked


def _refuse_unless_open(concern: Concern) -> None:
    if concern.status == ConcernStatus.CLOSED:
        raise ValidationError("This concern is closed: reopen it, with the reason, to add to it.")
    if not concern.is_reviewed:
        raise ValidationError("Record the review decision before adding to this concern.")


def _day_problems(name: str, day: datetime.date | None, concern: Concern, *, what: str) -> Problems:
    if day is None:
        return {name: f"Give the date {what}."}
    if day > timezone.localdate():
        return {name: f"The date {what} cannot be in the future."}
    if day < timezone.localdate(concern.occurred_at):
        return {name: f"The date {what} cannot be before the concern itself happened."}
    return {}


def _corrects_problems(corrects: CaseEntry | None, concern: Concern, kind: str) -> Problems:
    if corrects is None:
        return {}
    if corrects.concern_id != concern.pk:
        return {"corrects": "Choose an entry of this concern to correct."}
    if corrects.kind != kind and kind != EntryKind.NOTE:
        return {"corrects": "Correct an entry with one of the same kind, or with a note."}
    if CaseEntry.objects.filter(corrects=corrects).exists():
        return {"corrects": "That entry has been corrected already: correct the correction instead."}
    return {}


def _choice_problem(name: str, value: str, choices, message: str) -> Problems:
    return {} if value in choices.values else {name: message}


def _required(**texts: str) -> Problems:
    messages = {
        "text": "Say what happened: it is part of the record.",
        "with_whom": "Say with whom it was shared.",
        "what_shared": "Say what was shared.",
        "attendees": "Say who attended.",
    }
    return {name: messages[name] for name, text in texts.items() if not text}


def _entry_record(*, user: User, concern: Concern, entry: CaseEntry, event: str, problems: Problems) -> CaseEntry:
    """Lock, check, save and put on the ledger: the steps every kind of entry shares."""
    locked = _locked_for_casework(user, concern)
    _refuse_unless_open(locked)
    problems = {**problems, **_corrects_problems(entry.corrects, locked, entry.kind)}
    if entry.happened_on is not None:
        problems = {**_day_problems("happened_on", entry.happened_on, locked, what="it happened"), **problems}
    if problems:
        raise ValidationError(problems)
    return _entry_save(user=user, concern=locked, entry=entry, event=event)


def _entry_save(*, user: User, concern: Concern, entry: CaseEntry, event: str) -> CaseEntry:
    entry.concern, entry.recorded_by = concern, user
    # The constraints (an action done once, an entry corrected once) are checked above under the
    # concern's lock, and are the database's to enforce after that.
    entry.full_clean(validate_constraints=False)
    entry.save()
    written = [
        field.name for field in CaseEntry._meta.concrete_fields if getattr(entry, field.attname) not in ("", None)
    ]
    audit_record(
        actor=user,
        event=event,
        target=concern,
        action=AuditEntry.Action.UPDATE,
        object_ids=concern.child_links.values_list("child_id", flat=True),
        fields=[f"entry.{name}" for name in written if name not in ("id", "concern", "recorded_by", "recorded_at")],
        counts={"entry": entry.pk},
        site_id=concern.site_id,
    )
    return entry


def _today(day: datetime.date | None) -> datetime.date:
    return day or timezone.localdate()


# --- actions --------------------------------------------------------------------------------


@transaction.atomic
def action_assign(
    *,
    user: User,
    concern: Concern,
    text: str,
    assignee: User | None,
    due_on: datetime.date | None,
    happened_on: datetime.date | None = None,
    is_significant: bool = False,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """Ask someone at the concern's site (staff or the DSL team) to do something, by a date.

    The assignee sees the action (its text, due date and the concern's reference) and nothing else."""
    text = _clean(text)
    problems: Problems = {"text": "Say what is to be done."} if not text else {}
    if assignee is None:
        problems["assignee"] = "Choose who is to do it."
    elif not policy.may_be_assigned(assignee, concern):
        problems["assignee"] = "Choose a member of this school's staff or DSL team."
    if due_on is None:
        problems["due_on"] = "Give the date it is to be done by."
    elif due_on < timezone.localdate():
        problems["due_on"] = "The date it is to be done by cannot be in the past."
    entry = CaseEntry(
        kind=EntryKind.ACTION,
        text=text,
        assignee=assignee,
        due_on=due_on,
        happened_on=_today(happened_on),
        is_significant=is_significant,
        corrects=corrects,
    )
    return _entry_record(user=user, concern=concern, entry=entry, event=events.ENTRY_ACTION_ASSIGNED, problems=problems)


@transaction.atomic
def action_complete(*, user: User, action: CaseEntry, text: str, happened_on: datetime.date | None = None) -> CaseEntry:
    """Mark an action done, with a note of what was done: its assignee, or the DSL team for them.

    The action itself is not changed: being done is a later entry `regarding` it."""
    locked = Concern.objects.select_for_update().get(pk=action.concern_id)
    if not policy.can_complete_action(user, action):
        raise PermissionDenied("Only the person it was asked of, or the DSL team, marks an action done.")
    if locked.status == ConcernStatus.CLOSED:
        raise ValidationError("This action's concern has been closed: there is nothing more to mark.")
    if CaseEntry.objects.filter(regarding=action, kind=EntryKind.ACTION_DONE).exists():
        raise ValidationError("This action has been marked done already.")
    if CaseEntry.objects.filter(corrects=action).exists():
        raise ValidationError("This action was replaced by a correction: mark that one done instead.")
    text = _clean(text)
    problems: Problems = {"text": "Say what was done."} if not text else {}
    day = _today(happened_on)
    problems.update(_day_problems("happened_on", day, locked, what="it was done"))
    if not problems and day < action.happened_on:
        problems["happened_on"] = "It cannot have been done before it was asked."
    if problems:
        raise ValidationError(problems)
    entry = CaseEntry(kind=EntryKind.ACTION_DONE, regarding=action, text=text, happened_on=day)
    return _entry_save(user=user, concern=locked, entry=entry, event=events.ENTRY_ACTION_COMPLETED)


# --- referrals ------------------------------------------------------------------------------


@transaction.atomic
def referral_record(
    *,
    user: User,
    concern: Concern,
    agency: str,
    happened_on: datetime.date | None,
    text: str,
    agency_other: str = "",
    reference: str = "",
    spoken_to: str = "",
    is_significant: bool = True,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """A referral made to another agency: which, on what day, their reference, who was spoken to, and
    what was referred (`text`). Its response is recorded later, with referral_response_record."""
    agency_other = _clean(agency_other)
    problems = {
        **_choice_problem("agency", agency, ReferralAgency, "Choose the agency referred to."),
        **_required(text=_clean(text)),
    }
    if agency == ReferralAgency.OTHER and not agency_other:
        problems["agency_other"] = "Say which agency."
    if happened_on is None:
        problems["happened_on"] = "Give the date of the referral."
    entry = CaseEntry(
        kind=EntryKind.REFERRAL,
        agency=agency,
        agency_other=agency_other,
        reference=_clean(reference),
        spoken_to=_clean(spoken_to),
        happened_on=_today(happened_on),  # None was reported above
        text=_clean(text),
        is_significant=is_significant,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_REFERRAL_RECORDED, problems=problems
    )


@transaction.atomic
def referral_response_record(
    *, user: User, referral: CaseEntry, text: str, happened_on: datetime.date | None
) -> CaseEntry:
    """The agency's response to a referral, and the day it came: its own entry, never an edit of the
    referral; a referral may have several as the agency's work goes on."""
    problems: Problems = {} if _clean(text) else {"text": "Say what the agency's response was."}
    if referral.kind != EntryKind.REFERRAL:
        problems["regarding"] = "Choose the referral this is the response to."
    if happened_on is None:
        problems["happened_on"] = "Give the date of the response."
    elif happened_on < referral.happened_on:
        problems["happened_on"] = "The response cannot have come before the referral was made."
    entry = CaseEntry(
        kind=EntryKind.REFERRAL_RESPONSE, regarding=referral, text=_clean(text), happened_on=_today(happened_on)
    )
    return _entry_record(
        user=user,
        concern=referral.concern,
        entry=entry,
        event=events.ENTRY_REFERRAL_RESPONSE_RECORDED,
        problems=problems,
    )


@transaction.atomic
def no_referral_record(
    *,
    user: User,
    concern: Concern,
    text: str,
    agency: str = "",
    happened_on: datetime.date | None = None,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """A decision not to refer, with its reason (`text`, required), and the agency considered if any."""
    problems: Problems = {} if _clean(text) else {"text": "Give the reason for deciding not to refer."}
    if agency:
        problems.update(_choice_problem("agency", agency, ReferralAgency, "Choose the agency considered, or none."))
    entry = CaseEntry(
        kind=EntryKind.NO_REFERRAL,
        text=_clean(text),
        agency=agency,
        happened_on=_today(happened_on),
        is_significant=True,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_NO_REFERRAL_RECORDED, problems=problems
    )


# --- communications and meetings ------------------------------------------------------------


@transaction.atomic
def communication_record(
    *,
    user: User,
    concern: Concern,
    with_whom: str,
    method: str,
    what_shared: str,
    lawful_basis: str,
    text: str,
    happened_on: datetime.date | None,
    special_condition: str = "",
    lawful_basis_detail: str = "",
    is_significant: bool = False,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """What was shared, with whom, how, and why (`text`), under which lawful basis (UK GDPR Article 6,
    and Article 9's condition when special category data such as health was shared)."""
    detail = _clean(lawful_basis_detail)
    problems = {
        **_required(with_whom=_clean(with_whom), what_shared=_clean(what_shared)),
        **_choice_problem("method", method, CommunicationMethod, "Choose how it was shared."),
        **_choice_problem("lawful_basis", lawful_basis, LawfulBasis, "Choose the lawful basis for sharing."),
    }
    if not _clean(text):
        problems["text"] = "Say why it was shared."
    if special_condition:
        problems.update(
            _choice_problem(
                "special_condition", special_condition, SpecialCategoryCondition, "Choose the condition, or none."
            )
        )
    if LawfulBasis.OTHER in (lawful_basis, special_condition) and not detail:
        problems["lawful_basis_detail"] = "Say which lawful basis or condition."
    if happened_on is None:
        problems["happened_on"] = "Give the date it was shared."
    entry = CaseEntry(
        kind=EntryKind.COMMUNICATION,
        with_whom=_clean(with_whom),
        method=method,
        what_shared=_clean(what_shared),
        lawful_basis=lawful_basis,
        special_condition=special_condition,
        lawful_basis_detail=detail,
        text=_clean(text),
        happened_on=_today(happened_on),  # None was reported above
        is_significant=is_significant,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_COMMUNICATION_RECORDED, problems=problems
    )


@transaction.atomic
def meeting_record(
    *,
    user: User,
    concern: Concern,
    meeting_kind: str,
    happened_on: datetime.date | None,
    attendees: str,
    text: str,
    is_significant: bool = True,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """A meeting about the child: its kind, the day it was held, who attended, and the minutes (`text`)."""
    problems = {
        **_choice_problem("meeting_kind", meeting_kind, MeetingKind, "Choose the kind of meeting."),
        **_required(attendees=_clean(attendees)),
    }
    if not _clean(text):
        problems["text"] = "Write the minutes, or what was agreed."
    if happened_on is None:
        problems["happened_on"] = "Give the date the meeting was held."
    entry = CaseEntry(
        kind=EntryKind.MEETING,
        meeting_kind=meeting_kind,
        attendees=_clean(attendees),
        text=_clean(text),
        happened_on=_today(happened_on),  # None was reported above
        is_significant=is_significant,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_MEETING_RECORDED, problems=problems
    )


# --- notes and outcomes ---------------------------------------------------------------------


@transaction.atomic
def note_add(
    *,
    user: User,
    concern: Concern,
    text: str,
    happened_on: datetime.date | None = None,
    is_significant: bool = False,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """A note on the case; with `corrects`, the correction of any earlier entry of the concern."""
    entry = CaseEntry(
        kind=EntryKind.NOTE,
        text=_clean(text),
        happened_on=_today(happened_on),
        is_significant=is_significant,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_NOTE_ADDED, problems=_required(text=entry.text)
    )


@transaction.atomic
def outcome_record(
    *,
    user: User,
    concern: Concern,
    outcome: str,
    text: str,
    happened_on: datetime.date | None = None,
    corrects: CaseEntry | None = None,
) -> CaseEntry:
    """An outcome reached, and its rationale (`text`); closing the concern is concerns.services.review's."""
    problems = {
        **_choice_problem("outcome", outcome, Outcome, "Choose the outcome."),
        **({} if _clean(text) else {"text": "Give the rationale for the outcome."}),
    }
    entry = CaseEntry(
        kind=EntryKind.OUTCOME,
        outcome=outcome,
        text=_clean(text),
        happened_on=_today(happened_on),
        is_significant=True,
        corrects=corrects,
    )
    return _entry_record(
        user=user, concern=concern, entry=entry, event=events.ENTRY_OUTCOME_RECORDED, problems=problems
    )


# --- reopening and the owner ----------------------------------------------------------------


@transaction.atomic
def concern_reopen(*, user: User, concern: Concern, reason: str) -> CaseEntry:
    """Reopen a closed concern, with the reason: it is open again, and its earlier closure stays on record."""
    reason = _clean(reason)
    locked = _locked_for_casework(user, concern)
    if locked.status != ConcernStatus.CLOSED:
        raise ValidationError("Only a closed concern is reopened.")
    if not reason:
        raise ValidationError({"text": "Say why the concern is reopened."})
    locked.status, locked.closed_at = ConcernStatus.OPEN, None
    locked.save(update_fields=["status", "closed_at"])
    entry = CaseEntry(kind=EntryKind.REOPENED, text=reason, happened_on=timezone.localdate(), is_significant=True)
    return _entry_save(user=user, concern=locked, entry=entry, event=events.CONCERN_REOPENED)


@transaction.atomic
def concern_owner_change(*, user: User, concern: Concern, owner: User, reason: str) -> CaseEntry:
    """Give the case to another member of the DSL team, with the reason, on the concern's record.

    The entry's `assignee` is the new owner. concern_owner_assign checks who may own it."""
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"text": "Say why the owner is changing."})
    if concern.owner_id == owner.pk:
        raise ValidationError({"owner": "They own this concern already."})
    locked = concern_owner_assign(user=user, concern=concern, owner=owner)
    entry = CaseEntry(kind=EntryKind.OWNER_CHANGED, assignee=owner, text=reason, happened_on=timezone.localdate())
    return _entry_save(user=user, concern=locked, entry=entry, event=events.CONCERN_OWNER_CHANGED)
