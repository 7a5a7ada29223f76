"""The dashboard's chart of concerns by category per month, drawn on the server as SVG: no script,
nothing for the CSP to allow, and the same figures are in a table beside it for screen readers."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 40, 40, 10
# Distinguishable colours (Okabe–Ito), each category also named in the key and the table.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _n(number: float) -> str:
    return f"{number:.1f}"


def month_chart(figures) -> SafeString:
    """Stacked bars, one a month, one segment a category; an empty string when nothing was recorded."""
    totals = figures.month_totals()
    highest = max(totals.values(), default=0)
    if not highest:
        return SafeString("")
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(figures.months)
    bar = max(4.0, slot * 0.6)
    shapes = []
    for position, month in enumerate(figures.months):
        x = LEFT + position * slot + (slot - bar) / 2
        base = HEIGHT - BOTTOM
        for index, name in enumerate(figures.categories):
            number = figures.by_category_month.get((name, month), 0)
            if not number:
                continue
            height = plot_height * number / highest
            base -= height
            shapes.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>',
                    _n(x),
                    _n(base),
                    _n(bar),
                    _n(height),
                    _colour(index),
                    name,
                    month.strftime("%B %Y"),
                    number,
                )
            )
        shapes.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                _n(x + bar / 2),
                HEIGHT - BOTTOM + 16,
                month.strftime("%b %y"),
            )
        )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">0</text>',
        LEFT,
        HEIGHT - BOTTOM,
        WIDTH,
        HEIGHT - BOTTOM,
        LEFT - 6,
        TOP + 10,
        highest,
        LEFT - 6,
        HEIGHT - BOTTOM,
    )
    return format_html(
        '<svg class="dashboard-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">'
        '<title id="chart-title">Concerns recorded each month, by category (the table below has the figures)</title>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        axis,
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )


def chart_key(figures) -> list[tuple[str, str]]:
    return [(name, _colour(index)) for index, name in enumerate(figures.categories)]
