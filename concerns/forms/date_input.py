"""Dates as the GOV.UK date-input pattern asks: day, month and year typed in boxes of their own.

The browser's date picker lays its boxes out in the browser's locale: in a US-locale browser a
member of staff read 12/02 as the 2nd of December and recorded the 12th of February. Three labelled
boxes (and, for a time, hour and minute on the 24-hour clock) cannot be read the other way round.
Nothing here knows about concerns, so any form may use it.
"""

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join

DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
PART_LABELS = {"day": "Day", "month": "Month", "year": "Year", "hour": "Hour", "minute": "Minute"}
PART_LENGTHS = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}
DIGITS = re.compile(r"[0-9]+")


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class DatePartsInput(forms.Widget):
    """Day, month and year boxes, then hour and minute when with_time; each labelled, numbers only."""

    use_fieldset = True

    def __init__(self, attrs=None, *, with_time: bool = False):
        super().__init__(attrs)
        self.with_time = with_time

    @property
    def parts(self) -> tuple[str, ...]:
        return DATE_PARTS + TIME_PARTS if self.with_time else DATE_PARTS

    def value_from_datadict(self, data, files, name):
        typed = {part: (data.get(f"{name}_{part}") or "").strip() for part in self.parts}
        if not any(typed.values()) and data.get(name):
            # One ISO 8601 value: what a draft saved before these boxes holds, and what a script posts.
            return data.get(name)
        return typed

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part in self.parts)

    def id_for_label(self, id_):
        return f"{id_}_{self.parts[0]}" if id_ else id_

    def format_value(self, value) -> dict[str, str]:
        if isinstance(value, str):
            value = self._parse_iso(value) or {}
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return {
                "day": str(value.day),
                "month": str(value.month),
                "year": str(value.year),
                "hour": f"{value.hour:02d}",
                "minute": f"{value.minute:02d}",
            }
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {part: str((value or {}).get(part, "")) for part in self.parts}

    def _parse_iso(self, value: str) -> datetime.date | None:
        try:
            return datetime.datetime.fromisoformat(value) if self.with_time else datetime.date.fromisoformat(value)
        except ValueError:
            return None

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", None) or f"id_{name}"
        invalid = attrs.pop("aria-invalid", None) == "true"
        attrs.pop("required", None)
        values = self.format_value(value)
        items = [self._box(name, base_id, part, values.get(part, ""), invalid) for part in self.parts]
        if self.with_time:
            date_html = format_html_join("", "{}", ((item,) for item in items[:3]))
            time_html = format_html('{}<span class="date-input-colon" aria-hidden="true">:</span>{}', *items[3:])
            inner = format_html('{}<div class="date-input-time">{}</div>', date_html, time_html)
        else:
            inner = format_html_join("", "{}", ((item,) for item in items))
        return format_html('<div class="date-input" id="{}">{}</div>', base_id, inner)

    @staticmethod
    def _box(name: str, base_id: str, part: str, value: str, invalid: bool):
        return format_html(
            '<div class="date-input-item"><label class="form-label mb-0" for="{id}">{label}</label>'
            '<input class="form-control date-input-{size}{invalid}" type="text" inputmode="numeric" '
            'autocomplete="off" spellcheck="false" maxlength="{size}" name="{name}" id="{id}" value="{value}"></div>',
            id=f"{base_id}_{part}",
            label=PART_LABELS[part],
            size=PART_LENGTHS[part],
            invalid=" is-invalid" if invalid else "",
            name=f"{name}_{part}",
            value=value,
        )


class DatePartsField(forms.Field):
    """A date (or, with_time, a local date and time) typed in separate boxes, with a message for each mistake.

    what, what_time: how the messages name the date and the time, such as "The date it happened".
    """

    default_error_messages = {
        "required": "Enter the date.",
        "invalid": "Enter a real date.",
    }

    def __init__(self, *, what: str = "The date", what_time: str = "The time", with_time: bool = False, **kwargs):
        self.what, self.what_time = what, what_time
        self.with_time = with_time
        kwargs.setdefault("widget", DatePartsInput(with_time=with_time))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, datetime.date):
            return value or None
        if isinstance(value, str):
            return self._from_iso(value)
        if not any(value.values()):
            return None
        return self._from_parts(value)

    def _from_iso(self, value: str):
        iso_field = forms.DateTimeField() if self.with_time else forms.DateField(input_formats=["%Y-%m-%d"])
        try:
            return iso_field.to_python(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def _from_parts(self, typed: dict[str, str]):
        numbers = self._numbers(typed, DATE_PARTS, self.what)
        day = self._date(**numbers)
        if not self.with_time:
            return day
        clock = self._numbers(typed, TIME_PARTS, self.what_time)
        if clock["hour"] > 23:
            raise ValidationError("The hour must be a number from 0 to 23: use the 24-hour clock, such as 14 for 2pm.")
        if clock["minute"] > 59:
            raise ValidationError("The minutes must be a number from 0 to 59.")
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(clock["hour"], clock["minute"])))

    @staticmethod
    def _numbers(typed: dict[str, str], parts: tuple[str, ...], what: str) -> dict[str, int]:
        missing = [part for part in parts if not typed.get(part)]
        if missing:
            names = ["the " + ("minutes" if part == "minute" else part) for part in missing]
            raise ValidationError(f"{what} must include {_joined(names)}.", code="incomplete")
        if not all(DIGITS.fullmatch(typed[part]) for part in parts):
            labels = _joined([PART_LABELS[part].lower() for part in parts])
            raise ValidationError(f"Enter the {labels} as numbers, for example 27 3 2025.", code="invalid")
        return {part: int(typed[part]) for part in parts}

    @staticmethod
    def _date(*, day: int, month: int, year: int) -> datetime.date:
        if not 1 <= month <= 12:
            raise ValidationError("The month must be a number from 1 to 12.", code="invalid")
        if not 1000 <= year <= 9999:
            raise ValidationError("The year must have 4 numbers, for example 2025.", code="invalid")
        last_day = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last_day:
            month_name = calendar.month_name[month]
            if 1 <= day <= 31:
                raise ValidationError(
                    f"{day} {month_name} {year} is not a real date: {month_name} {year} has {last_day} days.",
                    code="invalid",
                )
            raise ValidationError("The day must be a number from 1 to 31.", code="invalid")
        return datetime.date(year, month, day)
