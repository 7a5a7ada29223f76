"""The alerts pages' words for time: a deadline as the emails give it."""

from datetime import datetime

from django import template

from concerns import deadlines

register = template.Library()


@register.filter
def deadline(moment: datetime | None) -> str:
    """'10:00 on Monday 7 December 2026', London time, the same words as the alert emails."""
    return deadlines.in_words(moment) if moment is not None else ""
