"""The ledger's filters: who, which child, what happened, to which object, and when."""

from django import forms
from django.core.validators import RegexValidator

from audit.models import AuditEntry

ACTION_CHOICES = [("", "Any action"), *[(str(value), label) for value, label in AuditEntry.Action.choices]]


def _text(**attrs) -> dict:
    return {"class": "form-control", **attrs}


class LedgerFilterForm(forms.Form):
    """Every field optional: an empty form is the whole ledger the reader may see."""

    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
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
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs=_text(type="date")))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs=_text(type="date")))

    def __init__(self, *args, actors, object_types, about_children: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone"), *[(str(pk), label) for pk, label in actors]]
        self.fields["object_type"].choices = [("", "Any type"), *[(str(pk), label) for pk, label in object_types]]
        for name in ("actor", "action", "object_type"):
            self.fields[name].widget.attrs["class"] = "form-select"
        if not about_children:
            # Administrators read account events only: a child filter has nothing to offer them.
            del self.fields["child"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", "Choose the type of object the number belongs to.")
        return cleaned
