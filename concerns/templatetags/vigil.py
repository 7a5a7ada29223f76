from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """A recording delay in words: '25 minutes', '3 hours 10 minutes', '2 days 4 hours'."""
    if delta is None:
        return ""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in parts if count][:2]
    return " ".join(words) or "less than a minute"
