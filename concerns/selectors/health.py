"""How the background work stands: when the escalation sweep last completed, and how long ledger
entries have waited for the sealer. For /healthz and the administrators' console; nothing in it
names a person, a child or a record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from audit.sealing import SEALING_OVERDUE_AFTER, oldest_unsealed_at
from concerns.models import TaskHeartbeat
from concerns.services.escalation import SWEEP_HEARTBEAT

# Beat sweeps every minute: five minutes without a completed sweep means overdue concerns are not
# being escalated.
SWEEP_OVERDUE_AFTER = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class BackgroundWork:
    """When the sweep last completed and the oldest unsealed entry was written, as of `now`."""

    now: datetime.datetime
    sweep_completed_at: datetime.datetime | None
    oldest_unsealed_at: datetime.datetime | None

    @property
    def sweep_age_seconds(self) -> int | None:
        return _seconds_since(self.sweep_completed_at, self.now)

    @property
    def oldest_unsealed_age_seconds(self) -> int | None:
        return _seconds_since(self.oldest_unsealed_at, self.now)

    @property
    def sweep_late(self) -> bool:
        """No sweep has completed in the last five minutes, or ever."""
        return self.sweep_completed_at is None or self.now - self.sweep_completed_at > SWEEP_OVERDUE_AFTER

    @property
    def sealing_late(self) -> bool:
        """An entry has waited for the sealer longer than five minutes."""
        return self.oldest_unsealed_at is not None and self.now - self.oldest_unsealed_at > SEALING_OVERDUE_AFTER

    def warnings(self) -> list[str]:
        """What an administrator is told, in words, when either has stopped."""
        found = []
        if self.sweep_late:
            when = "has never completed"
            if self.sweep_completed_at is not None:
                when = f"has not completed since {timezone.localtime(self.sweep_completed_at):%d %b %Y, %H:%M}"
            found.append(
                f"The escalation sweep {when}: concerns overdue for review are not being escalated. "
                "Check that Celery beat and a worker are running."
            )
        if self.sealing_late:
            minutes = (self.oldest_unsealed_age_seconds or 0) // 60
            found.append(
                f"Audit log entries have waited {minutes} minutes to be sealed into the hash chain, so a change "
                "to them would not show. Check that Celery beat and a worker are running (the audit-seal task)."
            )
        return found


def _seconds_since(moment: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def background_work(*, now: datetime.datetime | None = None) -> BackgroundWork:
    """Two indexed reads: the sweep's heartbeat row and the lowest unsealed ledger entry."""
    heartbeat = TaskHeartbeat.objects.filter(name=SWEEP_HEARTBEAT).values_list("completed_at", flat=True).first()
    return BackgroundWork(
        now=now or timezone.now(), sweep_completed_at=heartbeat, oldest_unsealed_at=oldest_unsealed_at()
    )
