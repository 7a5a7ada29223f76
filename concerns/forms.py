"""The recording form: every field of a concern, checked before anything is saved."""

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.selectors import dsl_team_at
from concerns import policy
from concerns.choices import BodySide, ChildRole
from concerns.models import Category
from concerns.services.recording import ChildInConcern, Mark
from concerns.uploads import validate_upload

YES_NO = [("yes", "Yes"), ("no", "No")]
MAX_MARKS = 60
# Clocks drift: a time a few minutes ahead of the server is not "in the future".
FUTURE_TOLERANCE = timedelta(minutes=5)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(f"Attach at most {settings.ATTACHMENT_MAX_FILES} files to one concern.")
        errors = []
        for upload in uploads:
            try:
                validate_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return uploads


def _yes(value: str) -> bool:
    return value == "yes"


class ConcernForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one category."},
    )
    occurred_at = forms.DateTimeField(
        label="When did it happen?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Enter the date and time it happened.", "invalid": "Enter a real date and time."},
    )
    delay_reason = forms.CharField(
        label="Why is this being recorded on a later day?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_disclosure = forms.ChoiceField(
        label="Did the child tell you something (a disclosure)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child disclosed something."},
    )
    child_words = forms.CharField(
        label="The child's exact words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if they disclosed something. Write what the child said, word for word, even if it is "
        "ungrammatical or uses slang.",
    )
    observations = forms.CharField(
        label="What happened: context and what you saw and heard",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Facts, not opinion. Who was there, what was said and done, in the order it happened.",
        error_messages={"required": "Describe what happened."},
    )
    location = forms.CharField(label="Where did it happen?", required=False, max_length=200)
    immediate_danger = forms.BooleanField(label="The child is in immediate danger", required=False)
    called_999 = forms.ChoiceField(
        label="Have the police or ambulance been called on 999?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    body_map = forms.CharField(required=False, widget=forms.HiddenInput)
    named_recipients = forms.ModelMultipleChoiceField(
        label="Also name these members of the DSL team",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every DSL and deputy is alerted anyway; people you name here see that you named them.",
    )
    files = MultipleFileField(label="Attachments", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.children_choices = policy.children_recordable_by(user).select_related("site")
        self.fields["named_recipients"].queryset = dsl_team_at(
            policy.site_ids_for(user, policy.RECORDING_ROLES)
        ).order_by("full_name")
        self.fields["named_recipients"].label_from_instance = lambda member: member.full_name
        self.linked_children: list[ChildInConcern] = []
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.Textarea | forms.DateTimeInput):
                field.widget.attrs.setdefault("class", "form-control")
            elif isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-check-input")

    def category_options(self) -> list[tuple[Category, bool]]:
        chosen = {str(value) for value in (self["categories"].value() or [])}
        return [(category, str(category.pk) in chosen) for category in self.fields["categories"].queryset]

    @property
    def files_lost(self) -> bool:
        return self.is_bound and bool(self.files) and bool(self.errors)

    def clean_is_disclosure(self) -> bool:
        return _yes(self.cleaned_data["is_disclosure"])

    def clean_observations(self) -> str:
        text = self.cleaned_data["observations"].strip()
        if not text:
            raise ValidationError("Describe what happened.")
        return text

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError("The time it happened cannot be in the future.")
        return occurred_at

    def clean_body_map(self) -> list[Mark]:
        raw = self.cleaned_data["body_map"].strip()
        if not raw:
            return []
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError("The body map could not be read; remove the marks and place them again.") from exc
        if not isinstance(items, list) or len(items) > MAX_MARKS:
            raise ValidationError(f"A body map holds at most {MAX_MARKS} marks.")
        return [self._mark(item) for item in items]

    @staticmethod
    def _mark(item) -> Mark:
        try:
            side = item["side"]
            x, y = Decimal(str(item["x"])).quantize(Decimal("0.01")), Decimal(str(item["y"])).quantize(Decimal("0.01"))
            note = str(item.get("note", "")).strip()
        except (KeyError, TypeError, InvalidOperation) as exc:
            raise ValidationError("A body-map mark is incomplete; remove it and place it again.") from exc
        if side not in BodySide.values or not (0 <= x <= 100 and 0 <= y <= 100):
            raise ValidationError("A body-map mark is off the outline; remove it and place it again.")
        if len(note) > 500:
            raise ValidationError("A body-map note can be at most 500 characters.")
        return Mark(side=side, x=x, y=y, note=note)

    def clean(self):
        cleaned = super().clean()
        self.linked_children = self._clean_children()
        occurred_at = cleaned.get("occurred_at")
        if occurred_at and self.linked_children:
            self._check_after_births(occurred_at)
        recorded_later = occurred_at and timezone.localdate(occurred_at) < timezone.localdate()
        if recorded_later and not cleaned.get("delay_reason", "").strip():
            self.add_error("delay_reason", "Say why this is being recorded on a later day than it happened.")
        if cleaned.get("is_disclosure") and not cleaned.get("child_words", "").strip():
            self.add_error("child_words", "Write down the child's exact words: they disclosed something.")
        if cleaned.get("immediate_danger") and cleaned.get("called_999") not in {"yes", "no"}:
            self.add_error("called_999", "Say whether 999 has been called.")
        recipients = cleaned.get("named_recipients") or []
        if self.linked_children and recipients:
            team = set(dsl_team_at([self.linked_children[0].child.site_id]).values_list("id", flat=True))
            if any(member.id not in team for member in recipients):
                self.add_error("named_recipients", "Name only members of the DSL team of the child's school.")
        return cleaned

    def _clean_children(self) -> list[ChildInConcern]:
        ids = []
        for raw in self.data.getlist("children"):
            if raw.isdigit() and int(raw) not in ids:
                ids.append(int(raw))
        if not ids:
            self.add_error(None, ValidationError("Choose the child this concern is about.", code="children"))
            return []
        found = {child.id: child for child in self.children_choices.filter(id__in=ids)}
        if len(found) != len(ids):
            self.add_error(None, ValidationError("Choose children from your school's roll.", code="children"))
            return []
        if len({child.site_id for child in found.values()}) > 1:
            self.add_error(
                None, ValidationError("All the children in one concern must be at the same school.", code="children")
            )
            return []
        links = []
        for child_id in ids:
            role = self.data.get(f"role_{child_id}", ChildRole.SUBJECT)
            links.append(ChildInConcern(child=found[child_id], role=role if role in ChildRole.values else "subject"))
        return links

    def _check_after_births(self, occurred_at) -> None:
        day = timezone.localdate(occurred_at)
        for link in self.linked_children:
            if day < link.child.date_of_birth:
                self.add_error("occurred_at", f"That is before {link.child.display_name} was born.")
                return

    @property
    def children_error(self) -> str | None:
        for error in self.non_field_errors().as_data():
            if error.code == "children":
                return error.messages[0]
        return None

    def submission_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "children": self.linked_children,
            "categories": list(data["categories"]),
            "occurred_at": data["occurred_at"],
            "is_disclosure": data["is_disclosure"],
            "child_words": data["child_words"].strip(),
            "observations": data["observations"],
            "location": data["location"].strip(),
            "immediate_danger": data["immediate_danger"],
            "called_999": _yes(data["called_999"]) if data["immediate_danger"] else None,
            "delay_reason": data["delay_reason"].strip(),
            "body_marks": data["body_map"],
            "named_recipients": list(data["named_recipients"]),
            "files": data["files"],
        }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Add to this concern",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text="A correction or later information. What was submitted stays as it was.",
        error_messages={"required": "Write the addendum before adding it."},
        max_length=20000,
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("Write the addendum before adding it.")
        return text


class ShareForm(forms.Form):
    grantee = forms.ModelChoiceField(
        label="Share with",
        queryset=None,
        empty_label="Choose a person",
        error_messages={"required": "Choose who to share with.", "invalid_choice": "Choose someone at this school."},
    )
    reason = forms.CharField(
        label="Why do they need to see it?",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=2000,
        error_messages={"required": "Say why this person needs to see it."},
    )
    ends_on = forms.DateField(
        label="Share until (the last day they can see it)",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "Choose the last day of the share.", "invalid": "Enter a real date."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = candidates
        self.fields["grantee"].label_from_instance = lambda person: f"{person.full_name} ({person.email})"
        self.fields["grantee"].widget.attrs["class"] = "form-select"
