"""The ledger's filters: who, which child, what happened, to which object, and when."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet

from accounts.models import User
from audit.models import AuditEntry
from concerns.forms.date_input import DatePartsField
from concerns.models import Child
from concerns.selectors.ledger import CHILD_NAME_FIELDS
from concerns.selectors.recording import children_named

# How many of the people a name matches an error lists, so the reader can type one of their addresses.
MATCHES_LISTED = 5
# How many of the children a name matches are offered to choose from; more, and the reader types more.
CHILDREN_OFFERED = 10

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
    # A child is chosen by name, among the children of the reader's sites; `child` (a record
    # number) is what links to one child's entries use, and what choosing one of several sets.
    child_name = forms.CharField(
        label="Child",
        required=False,
        max_length=100,
        help_text="A child's name or UPN, at your schools.",
        widget=forms.TextInput(attrs=_text(autocomplete="off")),
    )
    child = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
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

    # The name of the child a number in the query chose, once looked up ("" for none, or one not theirs).
    chosen_child_name = ""

    def __init__(
        self,
        *args,
        members: QuerySet[User],
        object_types,
        children: QuerySet[Child] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.members = members
        self.children = children
        # Whom a name matched when it matched several, for the page to offer as choices.
        self.people_offered: list[tuple[int, str, str]] = []
        self.children_offered: list[Child] = []
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
        if children is None:
            # Administrators read account events only: a child filter has nothing to offer them.
            del self.fields["child"], self.fields["child_name"]
        elif self.is_bound:
            self._name_the_chosen_child()

    def _name_the_chosen_child(self) -> None:
        """The child a number chooses (a link to one child's entries, or a choice made), by name: shown
        in the box, so that the next search keeps them while the box still holds that name."""
        number = self.data.get("child")
        if not (number and str(number).isdigit()):
            return
        assert self.children is not None
        child = self.children.filter(pk=int(number)).only(*CHILD_NAME_FIELDS).first()
        if child is None:
            return
        self.chosen_child_name = child.display_name
        if "child_name" not in self.data:
            self.data = self.data.copy()
            self.data["child_name"] = child.display_name

    def clean_who(self) -> str:
        return " ".join(self.cleaned_data["who"].split())

    def clean_child_name(self) -> str:
        return " ".join(self.cleaned_data["child_name"].split())

    def clean(self):
        cleaned = super().clean()
        cleaned["actor"] = self._person(cleaned.get("who") or "", cleaned.get("actor"))
        if self.children is not None and "child_name" not in self.errors and "child" not in self.errors:
            cleaned["child"] = self._child(cleaned.get("child_name") or "", cleaned.get("child"))
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
            self.people_offered = matches[:MATCHES_LISTED]
            listed = "; ".join(f"{name} ({email})" for _, name, email in matches[:MATCHES_LISTED])
            more = " and others" if len(matches) > MATCHES_LISTED else ""
            self.add_error(
                "who",
                f"More than one person matches “{typed}”: {listed}{more}. Type their email address to choose one.",
            )
        return None

    def _child(self, typed: str, number: int | None) -> int | None:
        """The one child of the reader's sites the filter names, or None for any child.

        A number stands while the box holds that child's name (a link, or a choice made); a name
        typed over it is searched for afresh."""
        assert self.children is not None
        if number is not None and typed.casefold() == " ".join(self.chosen_child_name.split()).casefold():
            if not self.chosen_child_name:
                self.add_error("child_name", "That child is not on the roll of your schools.")
            return number
        if not typed:
            return None
        matches = list(children_named(self.children, typed)[: CHILDREN_OFFERED + 1])
        if len(matches) == 1:
            return matches[0].pk
        if not matches:
            self.add_error("child_name", f"No child at your schools has a name or UPN matching “{typed}”.")
        else:
            self.children_offered = matches[:CHILDREN_OFFERED]
            more = " Type more of the name to narrow them down." if len(matches) > CHILDREN_OFFERED else ""
            self.add_error("child_name", f"More than one child matches “{typed}”: choose one below.{more}")
        return None
