"""The review queue's filters and the triage forms: priority, the review decision, the owner, closing.

The forms check only the shape of what was posted; the rules (who may, in which state, which
owner) are the review services', whose ValidationErrors are put back on these forms' fields.
Each triage form is about one concern and gives its inputs ids of their own, so a page may show
the same form for several concerns (a queue with two rows open) without two inputs sharing an id.
"""

from django import forms

from concerns.choices import ConcernStatus, Outcome, Priority, ReviewDecisionKind
from concerns.forms.select import ListSelect

QUEUE_STATUS_CHOICES = [
    ("", "Any"),
    (ConcernStatus.SUBMITTED, "Not yet claimed"),
    (ConcernStatus.IN_REVIEW, "Claimed (in review)"),
]


def _select(field: forms.Field) -> forms.Field:
    field.widget.attrs["class"] = "form-select"
    return field


class QueueFilterForm(forms.Form):
    """Every field optional: an empty form is the whole queue."""

    # ListSelect: the queue is the DSL team's home page, and Django's Select took 2 ms of it.
    site = forms.TypedChoiceField(label="Site", required=False, coerce=int, empty_value=None, widget=ListSelect)
    category = forms.TypedChoiceField(label="Category", required=False, coerce=int, empty_value=None, widget=ListSelect)
    status = forms.ChoiceField(label="Status", required=False, choices=QUEUE_STATUS_CHOICES, widget=ListSelect)
    claimed_by_me = forms.BooleanField(label="Claimed by me", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, sites, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All your sites"), *[(str(pk), name) for pk, name in sites]]
        self.fields["category"].choices = [("", "Any category"), *[(str(pk), name) for pk, name in categories]]
        self.fields["site"].error_messages["invalid_choice"] = "Choose one of your sites from the list."
        self.fields["category"].error_messages["invalid_choice"] = "Choose a category from the list."
        self.fields["status"].error_messages["invalid_choice"] = "Choose a status from the list."
        for name in ("site", "category", "status"):
            _select(self.fields[name])

    def queue_filters(self) -> dict:
        """The selector's keyword arguments for what was chosen."""
        data = self.cleaned_data
        return {
            "site_id": data["site"],
            "category_id": data["category"],
            "status": data["status"] or None,
            "claimed_by_me": data["claimed_by_me"],
            "overdue": data["overdue"],
        }


class TriageForm(forms.Form):
    """A form about one concern: its inputs' ids carry the form's kind and the concern's number."""

    kind = "triage"

    def __init__(self, *args, concern_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"{self.kind}-{concern_id}-%s")
        super().__init__(*args, **kwargs)
        # includes/field.html and error_summary.html prefix the field's group id with this.
        self.group_prefix = f"{self.kind}-{concern_id}-"

    def add_service_errors(self, error) -> None:
        """Put a review service's ValidationError back on the fields it names."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


def _priority_field(*, required: bool) -> forms.ChoiceField:
    empty = [("", "Choose a priority" if required else "Leave as it is")]
    return _select(
        forms.ChoiceField(
            label="Priority",
            required=required,
            choices=[*empty, *Priority.choices],
            error_messages={
                "required": "Choose low, medium, high or urgent.",
                "invalid_choice": "Choose low, medium, high or urgent.",
            },
        )
    )


class PriorityForm(TriageForm):
    kind = "priority"

    priority = _priority_field(required=True)


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


def _owner_field(owners, *, required: bool) -> forms.ModelChoiceField:
    return _select(
        _OwnerChoice(
            label="Owner (who carries the case)",
            queryset=owners,
            required=required,
            empty_label="Choose a member of the DSL team" if required else "You, unless someone else is chosen",
            error_messages={
                "required": "Choose who carries the case.",
                "invalid_choice": "Choose a member of this site's DSL team who can read this concern.",
            },
        )
    )


class ReviewDecisionForm(TriageForm):
    """What was decided on reviewing the concern, and why: what makes the concern reviewed."""

    kind = "decision"

    decision = _select(
        forms.ChoiceField(
            label="Decision",
            choices=[("", "Choose what was decided"), *ReviewDecisionKind.choices],
            error_messages={"required": "Choose what was decided.", "invalid_choice": "Choose what was decided."},
        )
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why: what you weighed, and what happens next. It is part of the child's record.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": "Say why: the rationale is part of the record."},
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"] = _priority_field(required=False)
        self.fields["owner"] = _owner_field(owners, required=False)


class OwnerForm(TriageForm):
    kind = "owner"

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(owners, required=True)


class CloseForm(TriageForm):
    """Closing a reviewed concern: the outcome, and the reason it can be closed."""

    kind = "close"

    outcome = _select(
        forms.ChoiceField(
            label="Outcome",
            choices=[("", "Choose the outcome"), *Outcome.choices],
            error_messages={"required": "Choose the outcome.", "invalid_choice": "Choose the outcome."},
        )
    )
    reason = forms.CharField(
        label="Why it can be closed",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Say why the concern can be closed."},
    )
