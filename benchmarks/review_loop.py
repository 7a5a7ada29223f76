"""The review loop's background work on the generated organisation, for `make bench` (benchmarks/pages.py).

- The escalation sweep over every concern with nothing due (budget: under 10 ms, DESIGN.md
  section 6), and with 1,000 concerns due at once.
- Alert latency: a concern submitted through the recording service, then the outbox run
  (concerns.services.alerts.notifications_send_email) with an in-memory email backend: the time
  from the end of the submission to each DSL team member's email being handed to the backend.

Everything here runs in one transaction that is rolled back, so the generated database is left as
it was (its append-only ledger included): the 1,000 due concerns are reviewed concerns made to
look overdue for the run, and the submitted concerns never existed. Hence "commit" below is the
moment the submitting transaction would commit; the commit itself (about a millisecond) and the
broker's hop to a worker are not in the measured time: the outbox runs in this process.
"""

import datetime
import statistics
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.pages import Query, QueryRecorder, explain, time_alone
from concerns.choices import ChildRole, ConcernStatus
from concerns.models import Category, Concern
from concerns.services.alerts import notifications_send_email
from concerns.services.escalation import escalations_sweep
from concerns.services.recording import ChildInConcern, concern_submit

SWEEP_BUDGET_MS = 10.0
DUE = 1_000


@dataclass
class Timed:
    """One background job timed several times, with the queries of one more run."""

    name: str
    times_ms: list[float]
    queries: list[Query] = field(default_factory=list)
    main_sql: str = ""
    main_ms: float = 0.0
    plan: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def p95(self) -> float:
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]

    @property
    def row(self) -> str:
        median, sql_ms = statistics.median(self.times_ms), sum(query.ms for query in self.queries)
        main = f"{self.main_ms:.2f}" if self.main_ms else "—"
        queries = f"{len(self.queries)} | {sql_ms:.1f}" if self.queries else "— | —"
        return (
            f"| {self.name} | {len(self.times_ms)} | {min(self.times_ms):.1f} | {median:.1f} | {self.p95:.1f} | "
            f"{queries} | {main} |"
        )


@contextmanager
def rolled_back():
    """A transaction that is always rolled back: the generated database stays as it was."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _recorded(job) -> list[Query]:
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        job()
    return recorder.queries


def _main_query(timed: Timed) -> None:
    """The slowest SELECT of the recorded run, timed alone, with its plan."""
    selects = [query for query in timed.queries if query.sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    if selects:
        main = max(selects, key=lambda query: query.ms)
        timed.main_sql, timed.main_ms = main.sql, time_alone(main.sql)
        timed.plan = explain(main.sql)


# The sweep ----------------------------------------------------------------------------------------


def sweep_nothing_due(runs: int, warmup: int) -> Timed:
    """escalations_sweep over every concern when nothing is due, as beat runs it every minute."""
    with rolled_back():
        caught_up = escalations_sweep()  # whatever has fallen due since seed_scale ran
        for _ in range(warmup):
            escalations_sweep()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fired = escalations_sweep()
            times.append((time.perf_counter() - started) * 1000)
            if fired:
                raise SystemExit(f"The sweep fired {fired} escalations with nothing due")
        timed = Timed("nothing due", times, _recorded(escalations_sweep))
        _main_query(timed)
    timed.notes.append(
        f"first caught up with what had fallen due since the data was generated "
        f"({caught_up} escalation{'' if caught_up == 1 else 's'}), "
        "then timed with nothing due"
    )
    return timed


def _make_due(ids: list[int]) -> None:
    """These reviewed concerns, unreviewed and a minute past their deadline: each is due for level 1 only
    (level 2 is a working hour after the deadline)."""
    due = timezone.now() - datetime.timedelta(minutes=1)
    Concern.objects.filter(pk__in=ids).update(
        reviewed_at=None,
        reviewed_by=None,
        status=ConcernStatus.SUBMITTED,
        claimed_by=None,
        claimed_at=None,
        escalation_level=0,
        review_deadline=due,
        escalates_at=due,
    )


def sweep_due(runs: int, count: int = DUE) -> Timed:
    """escalations_sweep when `count` concerns across the trust are due at once: each escalated
    (its row, its ledger entry, the DSL team's urgent alerts), in batches."""
    times: list[float] = []
    with rolled_back():
        escalations_sweep()
        # Reviewed in time, so never escalated: no level is on record for them yet.
        reviewed = Concern.objects.filter(reviewed_at__isnull=False, escalation_level=0).order_by("-id")
        ids = list(reviewed.values_list("id", flat=True)[:count])
        queries: list[Query] = []
        for run in range(runs + 1):
            savepoint = transaction.savepoint()
            _make_due(ids)
            if run == runs:  # one more, with its queries recorded (the recording slows it)
                queries = _recorded(escalations_sweep)
            else:
                started = time.perf_counter()
                fired = escalations_sweep()
                times.append((time.perf_counter() - started) * 1000)
                if fired != count:
                    raise SystemExit(f"The sweep fired {fired} escalations for {count} due")
            transaction.savepoint_rollback(savepoint)
    timed = Timed(f"{count:,} due", times, queries)
    median = statistics.median(times)
    timed.notes.append(f"{median / count:.1f} ms and {len(queries) / count:.1f} queries per escalation")
    timed.notes.append("the code that ran most of its queries: " + _busiest(queries))
    return timed


def _busiest(queries: list[Query], top: int = 3) -> str:
    """Where the queries came from, the busiest first: each origin's innermost project frame."""
    origins = Counter(query.where.split(" < ")[0] or "?" for query in queries)
    return ", ".join(f"{where} ({count:,})" for where, count in origins.most_common(top))


# Alert latency -------------------------------------------------------------------------------------

SENT_AT: list[float] = []


class TimedEmailBackend(EmailBackend):
    """Django's in-memory backend, noting when each email was handed to it."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        SENT_AT.extend([time.perf_counter()] * sent)
        return sent


@dataclass
class AlertLatency:
    submit: Timed
    first_email: Timed
    last_email: Timed
    emails: int


def alert_latency(author, child, runs: int) -> AlertLatency:
    """Submit a concern as a member of staff, then run the outbox; time each step."""
    category = Category.objects.filter(is_active=True, is_restricted=False).order_by("position").first()
    submit_ms, first_ms, last_ms, emails = [], [], [], 0
    submit_queries: list[Query] = []
    outbox_queries: list[Query] = []
    backend = f"{TimedEmailBackend.__module__}.{TimedEmailBackend.__qualname__}"
    with override_settings(EMAIL_BACKEND=backend), rolled_back():
        for run in range(runs + 1):
            mail.outbox = []
            SENT_AT.clear()
            if run == runs:  # one more, with its queries recorded (the recording slows it)
                submit_queries = _recorded(lambda: concern_submit(**_submission(author, child, category)))
                outbox_queries = _recorded(notifications_send_email)
                continue
            started = time.perf_counter()
            concern_submit(**_submission(author, child, category))
            committed = time.perf_counter()
            sent = notifications_send_email()
            if not sent or len(SENT_AT) != sent:
                raise SystemExit(f"The outbox sent {sent} emails for a new concern")
            emails = sent
            submit_ms.append((committed - started) * 1000)
            first_ms.append((SENT_AT[0] - committed) * 1000)
            last_ms.append((SENT_AT[-1] - committed) * 1000)
    return AlertLatency(
        submit=Timed("submitting the concern (recording service)", submit_ms, submit_queries),
        first_email=Timed("commit to the first email sent", first_ms),
        last_email=Timed(f"commit to the last of the {emails} emails sent (the outbox run)", last_ms, outbox_queries),
        emails=emails,
    )


def _submission(author, child, category) -> dict:
    return {
        "author": author,
        "submission_key": uuid.uuid4(),
        "children": [ChildInConcern(child=child, role=ChildRole.SUBJECT)],
        "categories": [category],
        "occurred_at": timezone.now() - datetime.timedelta(minutes=20),
        "is_disclosure": False,
        "child_words": "",
        "observations": "Benchmark: arrived without a coat and said they had not had breakfast.",
        "location": "Classroom",
        "immediate_danger": False,
        "called_999": None,
        "delay_reason": "",
        "body_marks": [],
        "named_recipients": [],
        "files": [],
    }


# The report's sections ---------------------------------------------------------------------------


def report_lines(sweeps: list[Timed], latency: AlertLatency | None) -> list[str]:
    lines = ["", "## The escalation sweep", ""]
    lines += [
        f"`escalations_sweep()` over every concern. Budget: under {SWEEP_BUDGET_MS:.0f} ms with nothing due. "
        "Run in a transaction rolled back at the end; the due concerns are reviewed ones made overdue for "
        "the run (level 1 only).",
        "",
        "| case | runs | min ms | median ms | p95 ms | queries | SQL ms | main query ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(timed.row for timed in sweeps),
        "",
    ]
    for timed in sweeps:
        verdict = ""
        if timed.name == "nothing due":
            within = timed.p95 < SWEEP_BUDGET_MS
            verdict = f" Budget {'met' if within else '**missed**'}: p95 {timed.p95:.1f} ms."
        lines += [f"- {timed.name}: {'; '.join(timed.notes)}.{verdict}"]
    for timed in sweeps:
        if timed.main_sql:
            lines += ["", f"The sweep's main query ({timed.name}):", "", "```sql", timed.main_sql, "```", ""]
            lines += ["```", timed.plan, "```"]
    if latency is None:
        return lines
    lines += [
        "",
        "## Alert latency",
        "",
        "A member of staff at the large site submits a concern through `concern_submit`; then the outbox "
        "(`notifications_send_email`) runs, in this process, with Django's in-memory email backend. "
        "Latency is from the end of the submission (where its transaction commits) to each email being "
        "handed to the backend. Not included: the commit itself, and the broker's hop to a worker "
        "(`transaction.on_commit` enqueues the outbox task; a Redis broker delivers it in about a "
        "millisecond, the embedded filesystem transport polls every second). Run in a transaction "
        "rolled back at the end.",
        "",
        "| step | runs | min ms | median ms | p95 ms | queries | SQL ms | main query ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        latency.submit.row,
        latency.first_email.row,
        latency.last_email.row,
        "",
        f"- One email per member of the site's DSL team ({latency.emails}); the queries are the whole "
        "submission's and the whole outbox run's.",
    ]
    return lines
