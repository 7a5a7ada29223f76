"""The recording form: every field of a concern, checked before anything is saved.

The form reads what was posted; the rules a concern must meet are the recording service's
(concern_problems), asked here too so that every problem is shown at once, next to its field.
"""

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.selectors import dsl_team_at
from concerns import policy
from concerns.choices import ChildRole
from concerns.forms.date_input import DatePartsField
from concerns.models import Category, DraftAttachment
from concerns.services.recording import ChildInConcern, Mark, concern_problems
from concerns.uploads import validate_upload

YES_NO = [("yes", "Yes"), ("no", "No")]
MAX_MARKS = 60


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        return [item for item in (data if isinstance(data, list | tuple) else [data]) if item]


class NulFreeCharField(forms.CharField):
    """Text written by the page's script, in which a null byte (only ever pasted with binary) is dropped."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class KeptFilesField(forms.MultipleChoiceField):
    """Files kept from an earlier try that the person ticked to remove."""

    def validate(self, value) -> None:
        # A file already gone (removed in another tab) is not an error: there is nothing left to remove.
        pass


def _yes(value: str) -> bool:
    return value == "yes"


class ConcernForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one category."},
    )
    occurred_at = DatePartsField(
        label="When did it happen?",
        with_time=True,
        what="The date it happened",
        what_time="The time it happened",
        help_text="For example, 27 3 2025 at 14 30. Use the 24-hour clock.",
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
    body_map = NulFreeCharField(required=False, widget=forms.HiddenInput)
    named_recipients = forms.ModelMultipleChoiceField(
        label="Also name these members of the DSL team",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every DSL and deputy is alerted anyway; people you name here see that you named them.",
    )
    # Files kept with the draft from an earlier try: cleaned before `files`, which counts them.
    remove_files = KeptFilesField(required=False, widget=forms.CheckboxSelectMultiple)
    files = MultipleFileField(label="Attachments", required=False)

    def __init__(self, *args, user, kept: list[DraftAttachment] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept = list(kept)
        self.accepted_uploads: list = []
        self.files_lost = False  # set by the view when a chosen file could not be kept
        self.fields["remove_files"].choices = [(str(file.uid), file.original_name) for file in self.kept]
        self.children_choices = policy.children_recordable_by(user).select_related("site")
        self.fields["named_recipients"].queryset = dsl_team_at(
            policy.site_ids_for(user, policy.RECORDING_ROLES)
        ).order_by("full_name")
        self.fields["named_recipients"].label_from_instance = lambda member: member.full_name
        self.linked_children: list[ChildInConcern] = []
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.Textarea):
                field.widget.attrs.setdefault("class", "form-control")
            elif isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-check-input")

    def category_options(self) -> list[tuple[Category, bool]]:
        chosen = {str(value) for value in (self["categories"].value() or [])}
        return [(category, str(category.pk) in chosen) for category in self.fields["categories"].queryset]

    def kept_files(self) -> list[DraftAttachment]:
        """The files kept from an earlier try that the person has not asked to remove."""
        removed = set(self.cleaned_data.get("remove_files") or []) if hasattr(self, "cleaned_data") else set()
        return [file for file in self.kept if str(file.uid) not in removed]

    def kept_file_options(self) -> list[tuple[DraftAttachment, bool]]:
        removed = set(self["remove_files"].value() or [])
        return [(file, str(file.uid) in removed) for file in self.kept]

    def clean_remove_files(self) -> list[str]:
        known = {str(file.uid) for file in self.kept}
        return [uid for uid in self.cleaned_data["remove_files"] if uid in known]

    def clean_is_disclosure(self) -> bool:
        return _yes(self.cleaned_data["is_disclosure"])

    def clean_observations(self) -> str:
        text = self.cleaned_data["observations"].strip()
        if not text:
            raise ValidationError("Describe what happened.")
        return text

    def clean_files(self) -> list:
        uploads = self.cleaned_data["files"]
        if len(uploads) + len(self.kept_files()) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(f"Attach at most {settings.ATTACHMENT_MAX_FILES} files to one concern.")
        errors = []
        for upload in uploads:
            try:
                validate_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                self.accepted_uploads.append(upload)
        if errors:
            raise ValidationError(errors)
        return uploads

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
            side = str(item["side"])
            x, y = Decimal(str(item["x"])).quantize(Decimal("0.01")), Decimal(str(item["y"])).quantize(Decimal("0.01"))
            # A null byte in a note (pasted with binary) is dropped, not a reason to lose the concern.
            note = str(item.get("note", "")).replace("\x00", "").strip()
        except (KeyError, TypeError, AttributeError, InvalidOperation) as exc:
            raise ValidationError("A body-map mark is incomplete; remove it and place it again.") from exc
        if not (x.is_finite() and y.is_finite()):
            raise ValidationError("A body-map mark is off the outline; remove it and place it again.")
        return Mark(side=side, x=x, y=y, note=note)

    def clean(self):
        cleaned = super().clean()
        self.linked_children = self._clean_children()
        categories, recipients = cleaned.get("categories"), cleaned.get("named_recipients")
        self.add_problems(
            concern_problems(
                children=self.linked_children or None,
                categories=None if categories is None else list(categories),
                occurred_at=cleaned.get("occurred_at"),
                is_disclosure=cleaned.get("is_disclosure"),
                child_words=cleaned.get("child_words"),
                observations=cleaned.get("observations"),
                location=cleaned.get("location"),
                immediate_danger=cleaned.get("immediate_danger"),
                called_999={"yes": True, "no": False}.get(cleaned.get("called_999")),
                delay_reason=cleaned.get("delay_reason"),
                body_marks=cleaned.get("body_map"),
                named_recipients=None if recipients is None else list(recipients),
            )
        )
        return cleaned

    def add_problems(self, problems: dict) -> None:
        """Show the recording service's problems next to their fields; a field's own error comes first."""
        for name, messages in problems.items():
            if name == "children":
                if not self.children_error:
                    self.add_error(None, ValidationError(messages, code="children"))
            elif name in self.fields:
                if name not in self.errors:
                    self.add_error(name, messages)
            else:
                self.add_error(None, messages)

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
            "kept_files": self.kept_files(),
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
    ends_on = DatePartsField(
        label="Share until (the last day they can see it)",
        what="The last day of the share",
        help_text="For example, 27 3 2025.",
        error_messages={"required": "Choose the last day of the share.", "invalid": "Enter a real date."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = candidates
        self.fields["grantee"].label_from_instance = lambda person: f"{person.full_name} ({person.email})"
        self.fields["grantee"].widget.attrs["class"] = "form-select"
