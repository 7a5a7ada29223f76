from datetime import timedelta

from django import template

from concerns import body_map

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


@register.filter
def body_mark_place(mark) -> str:
    """A body-map mark's place on the child in words: 'front, child's left forearm'."""
    return body_map.mark_place(mark.side, mark.x, mark.y)


@register.simple_tag
def body_mark_point(mark) -> dict[str, str]:
    """Where a stored mark is drawn on the child's outline, as SVG coordinates."""
    x, y = body_map.drawn_point(mark.x, mark.y)
    return {"x": f"{x:.2f}", "y": f"{y:.2f}"}


@register.simple_tag
def body_map_frame() -> dict:
    """The body map's frame and region names, for the recording page's script."""
    return body_map.frame()
