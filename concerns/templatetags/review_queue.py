"""The review queue's rows (concerns.selectors.review.QueueRow), built in Python, not by a template.

Fifty rows of about sixty template variables each (three forms, their addresses and tokens, the
priorities) took 45 ms of a 67 ms queue page on the seed_scale organisation, against 6 ms for all
its queries; with format_html for each part, still 8 ms. Here every value from the database is
escaped once (`_e`) and the row is put together from strings that are already safe.

Each row's forms post as plain forms (then back to the page with a message) and, with htmx, swap
the row only (concerns.views.review). A reviewed concern has left the queue: its row says so.
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from concerns.choices import Priority
from concerns.templatetags.vigil import duration, when

register = template.Library()

_PK_MARK = "2147483647"  # a concern id no site reaches, replaced by each row's own
_ADDRESS_NAMES = ("review_claim", "review_release", "review_priority", "review_decision")


def _e(value) -> str:
    return str(conditional_escape(value))


def _addresses() -> dict[str, str]:
    return {name: _e(reverse(f"concerns:{name}", args=[int(_PK_MARK)])) for name in _ADDRESS_NAMES}


def _form(address: str, row_id: int, tokens: str, inside: str, css: str = "", confirm: str = "") -> str:
    css_attribute = f' class="{css}"' if css else ""
    confirm_attribute = f' hx-confirm="{_e(confirm)}"' if confirm else ""
    return (
        f'<form method="post" action="{address}" hx-post="{address}" hx-target="#queue-row-{row_id}" '
        f'hx-swap="outerHTML" hx-disabled-elt="find button"{confirm_attribute}{css_attribute}>{tokens}{inside}</form>'
    )


_PRIORITIES = [(_e(value), _e(label)) for value, label in Priority.choices]


def _priority_options(current: str) -> str:
    empty = "" if current else '<option value="" selected>Priority…</option>'
    return empty + "".join(
        f'<option value="{value}"{" selected" if value == current else ""}>{label}</option>'
        for value, label in _PRIORITIES
    )


def _actions(row, reference: str, url: str, viewer_id: int, tokens: str, addresses: dict[str, str], decision_html):
    at = {name: address.replace(_PK_MARK, str(row.id)) for name, address in addresses.items()}
    hidden_reference = f'<span class="visually-hidden"> {reference}</span>'
    if row.claimed_by_id == viewer_id:
        button = f'<button class="btn btn-outline-secondary btn-sm" type="submit">Release{hidden_reference}</button>'
        # Release sits where Claim was: a double click must not claim and give it straight back.
        claim = _form(at["review_release"], row.id, tokens, button, confirm=f"Release {reference} for someone else?")
    elif row.claimed_by_id:
        held = (
            f'<p class="small mb-0 align-self-center">{_e(row.claimed_by_name)} has it: '
            f'<a href="{url}">open the concern</a> to read it.</p>'
        )
        if decision_html:
            # A decision refused because a colleague claimed the concern meanwhile: what was
            # typed stays on the page, to copy or to record once they release it.
            held += f'<div class="queue-decide-body w-100">{conditional_escape(decision_html)}</div>'
        return held
    else:
        button = f'<button class="btn btn-primary btn-sm" type="submit">Claim{hidden_reference}</button>'
        claim = _form(at["review_claim"], row.id, tokens, button)
    priority = _form(
        at["review_priority"],
        row.id,
        tokens,
        f'<label class="visually-hidden" for="queue-priority-{row.id}">Priority of {reference}</label>'
        f'<select class="form-select form-select-sm" name="priority" id="queue-priority-{row.id}">'
        f"{_priority_options(row.priority)}</select>"
        f'<button class="btn btn-outline-primary btn-sm" type="submit">Set'
        f'<span class="visually-hidden"> the priority of {reference}</span></button>',
        css="queue-priority",
    )
    summary = (
        '<summary class="btn btn-outline-primary btn-sm">Record the review decision'
        f'<span class="visually-hidden"> on {reference}</span></summary>'
    )
    if decision_html:
        # The form is already here (shown again with its problems): nothing to fetch when it opens.
        decide = (
            f'<details class="queue-decide" open>{summary}'
            f'<div class="queue-decide-body">{conditional_escape(decision_html)}</div></details>'
        )
    else:
        decide = (
            f'<details class="queue-decide" hx-get="{at["review_decision"]}" hx-trigger="toggle once" '
            f'hx-target="find .queue-decide-body" hx-swap="innerHTML">{summary}'
            f'<div class="queue-decide-body"><p class="small mb-0 mt-2"><a href="{url}#triage-panel">'
            "Record it on the concern&#x27;s page</a>.</p></div></details>"
        )
    return claim + priority + decide


def _badges(row) -> str:
    badges = ['<span class="badge text-bg-danger">Immediate danger</span>'] if row.immediate_danger else []
    badges.append(f'<span class="badge status-{_e(row.status)}">{_e(row.status_label)}</span>')
    if row.priority:
        badges.append(f'<span class="badge priority-{_e(row.priority)}">{_e(row.priority_label)} priority</span>')
    if row.is_restricted:
        badges.append('<span class="badge text-bg-warning">Restricted</span>')
    return "".join(badges)


def _deadline(row, viewer_id: int) -> str:
    if row.is_overdue:
        due = f'<div class="queue-due queue-due-overdue">Overdue by {_e(duration(row.overdue_by))}</div>'
    else:
        danger = " queue-due-danger" if row.immediate_danger else ""
        due = f'<div class="queue-due{danger}">{_e(duration(row.time_left))} left</div>'
    escalated = (
        f'<div class="queue-escalated">Escalated — {_e(row.escalation_label)}</div>' if row.escalation_level else ""
    )
    if row.claimed_by_id == viewer_id:
        claimed = f"Claimed by you, {_e(when(row.claimed_at))}"
    elif row.claimed_by_id:
        claimed = f"<strong>{_e(row.claimed_by_name)}</strong> is reviewing this, {_e(when(row.claimed_at))}"
    else:
        claimed = "Not claimed"
    return f"{due}<div>Review by {_e(when(row.review_deadline))}</div>{escalated}<div>{claimed}</div>"


def _message(message: str, level: str) -> str:
    if not message:
        return ""
    kind = "danger" if level == "error" else _e(level)
    role = "status" if level == "success" else "alert"
    return (
        f'<div class="alert alert-{kind} py-2 px-3 mb-2 small triage-message" role="{role}" tabindex="-1">'
        f"{_e(message)}</div>"
    )


def _summary(row, reference: str, url: str, viewer_id: int, several_sites: bool) -> str:
    site = f" · {_e(row.site_name)}" if several_sites else ""
    return (
        '<div class="row g-2"><div class="col-lg-5"><div class="d-flex flex-wrap gap-2 align-items-center">'
        f'<a class="fw-semibold queue-ref" href="{url}">{reference}</a>{_badges(row)}</div>'
        f'<div class="queue-children">{_e(row.children)}</div>'
        f'<div class="small text-body-secondary">{_e(row.categories)}{site}</div></div>'
        f'<div class="col-sm-6 col-lg-3 small"><div>By {_e(row.author_name)}</div>'
        f"<div>Happened {_e(when(row.occurred_at))}</div>"
        f"<div>Recorded {_e(when(row.recorded_at))} "
        f'<span class="text-body-secondary">({_e(duration(row.recording_delay))} later)</span></div></div>'
        f'<div class="col-sm-6 col-lg-4 small">{_deadline(row, viewer_id)}</div></div>'
    )


def queue_row_html(
    row,
    *,
    viewer_id: int,
    tokens: str,
    several_sites: bool,
    addresses: dict[str, str],
    message: str = "",
    message_level: str = "success",
    decision_html: str = "",
) -> SafeString:
    """One concern in the queue: what it is about, who recorded it and when, its deadline, who
    has it, and its forms (claim or release, priority, the review decision). `tokens` and
    `addresses` are escaped already; so is `decision_html`, a rendered template."""
    reference, url = _e(row.reference), _e(row.url)
    if row.reviewed_at:
        kind = " queue-item-done"
        body = (
            f'<p class="mb-0"><a class="fw-semibold" href="{url}">{reference}</a> — {_e(row.children)}. '
            f"Reviewed {_e(when(row.reviewed_at))}; it has left the queue. "
            f'<a href="{url}">Open it</a> for the actions that follow.</p>'
        )
    else:
        kind = " queue-item-danger" if row.immediate_danger else " queue-item-overdue" if row.is_overdue else ""
        actions = _actions(row, reference, url, viewer_id, tokens, addresses, decision_html)
        body = f'{_summary(row, reference, url, viewer_id, several_sites)}<div class="queue-actions">{actions}</div>'
    html = (
        f'<li class="queue-item card{kind}" id="queue-row-{row.id}">\n'
        f'<div class="card-body">{_message(message, message_level)}{body}</div>\n</li>'
    )
    return mark_safe(html)  # noqa: S308 - every value in it was escaped by _e


def _tokens(context) -> str:
    return (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(context.get("csrf_token", ""))}">'
        f'<input type="hidden" name="next" value="{_e(context.get("back_to", ""))}">'
    )


@register.simple_tag(takes_context=True)
def queue_rows(context, rows) -> SafeString:
    """The queue's rows, one <li> each."""
    tokens, addresses = _tokens(context), _addresses()
    viewer_id = context["user"].pk
    several_sites = bool(context.get("several_sites"))
    built = (
        queue_row_html(row, viewer_id=viewer_id, tokens=tokens, several_sites=several_sites, addresses=addresses)
        for row in rows
    )
    return mark_safe("\n".join(built))  # noqa: S308 - each row is safe


@register.simple_tag(takes_context=True)
def queue_row(context, row, decision_html: str = "") -> SafeString:
    """One row as htmx swaps it in, with the answer's message and, if given, the decision form."""
    return queue_row_html(
        row,
        viewer_id=context["user"].pk,
        tokens=_tokens(context),
        several_sites=bool(context.get("several_sites")),
        addresses=_addresses(),
        message=context.get("message", ""),
        message_level=context.get("message_level", "success"),
        decision_html=decision_html,
    )
