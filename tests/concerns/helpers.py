"""Building valid and invalid recording-form posts."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from tests.factories import category

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\x81\xbb\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def record_url(key: uuid.UUID | None = None) -> str:
    return reverse("concerns:record", args=[key or uuid.uuid4()])


def occurred_parts(when: datetime.datetime | str | None, name: str = "occurred_at") -> dict:
    """A date and time as the form's day, month, year, hour and minute boxes post it.

    An ISO string is split into the boxes; None or "" leaves them all empty; any other string is
    posted as the one value a script (or a draft saved before the boxes) would send.
    """
    if isinstance(when, str) and when:
        try:
            when = datetime.datetime.fromisoformat(when)
        except ValueError:
            return {name: when}
    if not when:
        return {f"{name}_{part}": "" for part in ("day", "month", "year", "hour", "minute")}
    return {
        f"{name}_day": str(when.day),
        f"{name}_month": str(when.month),
        f"{name}_year": str(when.year),
        f"{name}_hour": f"{when.hour:02d}",
        f"{name}_minute": f"{when.minute:02d}",
    }


def valid_post(child, **overrides) -> dict:
    """A complete, valid concern about `child`, happening half an hour ago.

    An `occurred_at` override (an ISO string, or "" for none) is typed into the date and time boxes.
    """
    occurred = timezone.localtime() - datetime.timedelta(minutes=30)
    if occurred.date() != timezone.localdate():
        occurred = timezone.localtime().replace(hour=0, minute=0)
    if "occurred_at" in overrides:
        occurred = overrides.pop("occurred_at")
    data = {
        "children": [str(child.pk)],
        f"role_{child.pk}": "subject",
        "categories": [str(category("Neglect").pk)],
        **occurred_parts(occurred),
        "is_disclosure": "yes",
        "child_words": "My dad said I can't have tea if I tell anyone.",
        "observations": "Came in at 08:40 without a coat. Ate two portions of toast at breakfast club.",
        "location": "Breakfast club",
        "body_map": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(author, child, *, immediate_danger: bool = False, categories=None, **details):
    """A concern submitted through the recording service, as its author would, at the current time."""
    from concerns.services.recording import ChildInConcern, concern_submit
    from tests.factories import category

    concern, _created = concern_submit(
        author=author,
        submission_key=uuid.uuid4(),
        children=[ChildInConcern(child=child, role="subject")],
        categories=categories or [category("Neglect")],
        occurred_at=details.pop("occurred_at", timezone.now() - datetime.timedelta(minutes=5)),
        is_disclosure=False,
        child_words="",
        observations=details.pop("observations", "Came in without a coat on a cold morning."),
        location="",
        immediate_danger=immediate_danger,
        called_999=True if immediate_danger else None,
        delay_reason="",
        body_marks=[],
        named_recipients=details.pop("named_recipients", []),
        files=[],
    )
    return concern
