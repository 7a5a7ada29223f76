"""The ledger's filters: who, which child, what happened, to which object, and when."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet

from accounts.models import User
from audit.models import AuditEntry
from concerns.forms.date_input import DatePartsField

# How many of the people a name matches an error lists, so the reader can type one of their addresses.
MATCHES_LISTED = 5

ACTION_CHOICES = [("", "Any action"), *[(str(value), label) for value, label in AuditEntry.Action.choices]]


def _text(**attrs) -> dict:
    return {"class": "form-control", **attrs}


class LedgerFilterForm(forms.Form):
    """Every field optional: an empty form is the whole ledger the reader may see."""

    # A typed name or address, not a list of everyone: a trust's auditor reads thousands of people,
    # and a select of them all was most of the page's time. `actor` (a person's number) is what
    # links to one person's entries use.
    who = forms.CharField(
        label="Who",
        required=False,
        max_length=254,
        help_text="A name or email address of someone at your sites.",
        widget=forms.TextInput(attrs=_text(autocomplete="off")),
    )
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    child = forms.IntegerField(
        label="Child (record number)",
        required=False,
        min_value=1,
        help_text="The number at the end of the child's page address.",
        widget=forms.NumberInput(attrs=_text()),
    )
    event = forms.CharField(
        label="Event",
        required=False,
        max_length=64,
        help_text="An event such as concern.viewed, or the start of one, such as account.",
        validators=[RegexValidator(r"^[a-z_.]*$", "Use lower-case letters, dots and underscores only.")],
        widget=forms.TextInput(attrs=_text(autocomplete="off")),
    )
    action = forms.TypedChoiceField(
        label="Action", required=False, choices=ACTION_CHOICES, coerce=int, empty_value=None
    )
    object_type = forms.TypedChoiceField(label="Object type", required=False, coerce=int, empty_value=None)
    object_id = forms.IntegerField(
        label="Object number", required=False, min_value=1, widget=forms.NumberInput(attrs=_text())
    )
    date_from = DatePartsField(label="From", required=False, what="The start date")
    date_to = DatePartsField(label="To", required=False, what="The end date")

    def __init__(self, *args, members: QuerySet[User], object_types, about_children: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        number = self.data.get("actor") if self.is_bound else None
        if number and str(number).isdigit() and not self.data.get("who"):
            # A link to one person's entries: show who it is in the box, so the next search keeps them.
            email = members.filter(pk=int(number)).values_list("email", flat=True).first()
            if email:
                self.data = self.data.copy()
                self.data["who"] = email
        self.fields["object_type"].choices = [("", "Any type"), *[(str(pk), label) for pk, label in object_types]]
        for name in ("action", "object_type"):
            self.fields[name].widget.attrs["class"] = "form-select"
        if not about_children:
            # Administrators read account events only: a child filter has nothing to offer them.
            del self.fields["child"]

    def clean_who(self) -> str:
        return " ".join(self.cleaned_data["who"].split())

    def clean(self):
        cleaned = super().clean()
        cleaned["actor"] = self._person(cleaned.get("who") or "", cleaned.get("actor"))
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", "Choose the type of object the number belongs to.")
        return cleaned

    def _person(self, typed: str, number: int | None) -> int | None:
        """The one member of the reader's sites the filter names, or None for anyone."""
        if number is not None and not typed:
            if not self.members.filter(pk=number).exists():
                self.add_error("who", "That person is not a member of your sites.")
            return number
        if not typed:
            return None
        exact = list(self.members.filter(email__iexact=typed).values_list("pk", flat=True)[:1])
        if exact:
            return exact[0]
        matches = list(
            self.members.filter(Q(full_name__icontains=typed) | Q(email__icontains=typed))
            .order_by("full_name", "email")
            .values_list("pk", "full_name", "email")[: MATCHES_LISTED + 1]
        )
        if len(matches) == 1:
            return matches[0][0]
        if not matches:
            self.add_error("who", f"No one at your sites has a name or email address containing “{typed}”.")
        else:
            listed = "; ".join(f"{name} ({email})" for _, name, email in matches[:MATCHES_LISTED])
            more = " and others" if len(matches) > MATCHES_LISTED else ""
            self.add_error(
                "who",
                f"More than one person matches “{typed}”: {listed}{more}. Type their email address to choose one.",
            )
        return None
