"""The dashboard's filters: which of the reader's sites, and which period (dates typed in boxes)."""

import datetime

from django import forms
from django.utils import timezone

from concerns.forms.date_input import DatePartsField
from concerns.selectors.dashboard import Period

PERIODS = [
    ("30days", "The last 30 days"),
    ("term", "This term"),
    ("year", "This academic year"),
    ("custom", "From and to dates"),
]
LONGEST_PERIOD_DAYS = 3 * 366


def term_start(today: datetime.date) -> datetime.date:
    """The first day of this term: autumn from September, spring from January, summer from April."""
    if today.month >= 9:
        return datetime.date(today.year, 9, 1)
    return datetime.date(today.year, 4 if today.month >= 4 else 1, 1)


def academic_year_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


class DashboardFilterForm(forms.Form):
    site = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="School")
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="30days", label="Period")
    first = DatePartsField(required=False, label="From", what="The first day")
    last = DatePartsField(required=False, label="To", what="The last day")

    def __init__(self, data, *, sites: list[tuple[int, str]]):
        super().__init__(data)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.TypedChoiceField)
        site_field.choices = [("", "All your schools"), *sites]
        for name in ("site", "period"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("period") == "custom" and not self.errors:
            first, last = cleaned.get("first"), cleaned.get("last")
            if first is None:
                self.add_error("first", "Enter the first day of the period.")
            if last is None:
                self.add_error("last", "Enter the last day of the period.")
            if first and last and first > last:
                self.add_error("last", "The last day must be the same as or after the first day.")
            elif first and last and (last - first).days > LONGEST_PERIOD_DAYS:
                self.add_error("last", "Choose a period of at most three years.")
        return cleaned

    def chosen_period(self) -> Period:
        today = timezone.localdate()
        match self.cleaned_data.get("period") or "30days":
            case "term":
                return Period(term_start(today), today)
            case "year":
                return Period(academic_year_start(today), today)
            case "custom":
                return Period(self.cleaned_data["first"], self.cleaned_data["last"])
        return Period(today - datetime.timedelta(days=29), today)
