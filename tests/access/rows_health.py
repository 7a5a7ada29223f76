"""Access-matrix row for /healthz: public, for a load balancer or a monitor, and naming no one."""

from django.urls import reverse
from django.utils import timezone

from concerns.models import TaskHeartbeat
from tests.access.common import WHO


def objects(cast) -> dict:
    # The escalation sweep has just completed, so /healthz is healthy (200) for whoever asks.
    TaskHeartbeat.objects.update_or_create(name="escalations_sweep", defaults={"completed_at": timezone.now()})
    return {}


ROWS = {
    # No sign-in, signed in or not: the same answer.
    "healthz": ("get", lambda o: reverse("healthz"), {who: 200 for who in WHO}),
}
