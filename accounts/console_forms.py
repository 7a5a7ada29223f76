"""The administrator's console forms: they parse input; the services decide what is allowed."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from accounts.choices import Role, TrainingKind
from accounts.console_selectors import escalation_candidates, sites_managed_by
from accounts.models import Site, User
from accounts.services.sites import check_site_hours

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
HOLIDAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MAX_HOLIDAYS = 366


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ConsoleForm(forms.Form):
    """Bootstrap classes on every widget, as the recording form has them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-control")


def _end_date_field() -> forms.DateField:
    return forms.DateField(
        label="Access ends on",
        required=False,
        widget=_date_input(),
        help_text="The last day this role gives access. Leave empty for no end date (auditors need one).",
        error_messages={"invalid": "Enter a real date, for example 31/07/2027."},
    )


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        error_messages={"required": "Choose a role.", "invalid_choice": "Choose a role."},
    )


class _SiteField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


def _site_field(admin: User) -> _SiteField:
    return _SiteField(
        label="Site",
        queryset=sites_managed_by(admin).order_by("name"),
        empty_label=None,
        error_messages={"required": "Choose a site.", "invalid_choice": "Choose one of the sites you administer."},
    )


class UserCreateForm(ConsoleForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the person's full name."}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address.",
            "invalid": "Enter an email address like name@school.org.",
        },
    )
    invite = forms.BooleanField(
        label="Email them an invitation to choose a password now",
        required=False,
        initial=True,
        help_text="Without it, send the invitation later from their page.",
    )

    def __init__(self, *args, admin: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = _site_field(admin)
        self.fields["role"] = _role_field()
        self.fields["ends_on"] = _end_date_field()
        self.order_fields(["full_name", "email", "site", "role", "ends_on", "invite"])
        self.style_widgets()

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())


class MembershipAddForm(ConsoleForm):
    def __init__(self, *args, admin: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = _site_field(admin)
        self.fields["role"] = _role_field()
        self.fields["ends_on"] = _end_date_field()
        self.style_widgets()


class RoleChangeForm(ConsoleForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field()
        self.fields["role"].label = "New role"
        self.fields["ends_on"] = _end_date_field()
        self.style_widgets()


class TrainingForm(ConsoleForm):
    kind = forms.ChoiceField(
        label="Training", choices=TrainingKind.choices, error_messages={"required": "Choose induction or refresher."}
    )
    completed_on = forms.DateField(
        label="Completed on",
        widget=_date_input(),
        error_messages={"required": "Enter the date the training was completed.", "invalid": "Enter a real date."},
    )
    due_on = forms.DateField(
        label="Next refresher due",
        required=False,
        widget=_date_input(),
        help_text="Leave empty for one year after the training was completed.",
        error_messages={"invalid": "Enter a real date."},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=300,
        help_text="Course or provider. Nothing about children.",
        widget=forms.TextInput(),
    )


class OrganisationForm(ConsoleForm):
    mfa_required_for_staff = forms.BooleanField(
        label="Staff must use an authenticator app when they sign in",
        required=False,
        help_text="DSLs, deputies, administrators and auditors always must.",
    )
    induction_required_to_record = forms.BooleanField(
        label="Staff cannot record a concern until their induction training is recorded",
        required=False,
        help_text="Off by default: a concern should never wait for paperwork.",
    )


def parse_holidays(text: str) -> list[datetime.date]:
    """One date a line, as YYYY-MM-DD or DD/MM/YYYY; every bad line is named in the error."""
    days: list[datetime.date] = []
    problems: list[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        day = None
        for fmt in HOLIDAY_FORMATS:
            try:
                day = datetime.datetime.strptime(line, fmt).date()
                break
            except ValueError:
                continue
        if day is None or not 2000 <= day.year <= 2099:
            problems.append(
                f"Line {number}, “{line[:30]}”, is not a real date: write one date a line, like 2026-12-25."
            )
        else:
            days.append(day)
    if len(lines) > MAX_HOLIDAYS:
        problems.append(f"Enter at most {MAX_HOLIDAYS} holiday dates.")
    if problems:
        raise ValidationError(problems)
    return sorted(set(days))


class _ContactField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class SiteForm(ConsoleForm):
    working_days = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one working day.", "invalid_choice": "Choose days of the week."},
    )
    day_starts = forms.TimeField(
        label="Working day starts",
        widget=_time_input(),
        error_messages={"required": "Enter when the working day starts.", "invalid": "Enter a time like 08:00."},
    )
    day_ends = forms.TimeField(
        label="Working day ends",
        widget=_time_input(),
        error_messages={"required": "Enter when the working day ends.", "invalid": "Enter a time like 17:00."},
    )
    review_cutoff = forms.TimeField(
        label="Review cut-off",
        widget=_time_input(),
        help_text="A concern submitted before this is reviewed the same working day; later ones by 10:00 the next.",
        error_messages={"required": "Enter the review cut-off.", "invalid": "Enter a time like 15:00."},
    )
    holidays = forms.CharField(
        label="Holidays",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Days the site is closed, one date a line, like 2026-12-25.",
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalation_contact"] = _ContactField(
            label="Escalation contact",
            queryset=escalation_candidates(site),
            required=False,
            empty_label="No one chosen",
            help_text="The head or senior leader alerted when a concern is overdue for review.",
            error_messages={"invalid_choice": f"Choose someone who works at {site} now."},
        )
        self.style_widgets()

    def clean_holidays(self) -> list[datetime.date]:
        return parse_holidays(self.cleaned_data["holidays"])

    def clean(self) -> dict:
        # The service checks the hours again; asking here too shows every problem at once.
        cleaned = super().clean()
        hours = ("working_days", "day_starts", "day_ends", "review_cutoff")
        if all(cleaned.get(name) is not None for name in hours):
            try:
                check_site_hours(**{name: cleaned[name] for name in hours})
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        return {
            "working_days": site.working_days,
            "day_starts": site.day_starts,
            "day_ends": site.day_ends,
            "review_cutoff": site.review_cutoff,
            "holidays": "\n".join(site.holidays),
            "escalation_contact": site.escalation_contact_id,
        }
