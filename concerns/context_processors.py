"""What the console's pages show administrators of the background work: a warning when the
escalation sweep or the ledger's sealer has not run for five minutes (issue 8)."""

from accounts.policy import is_console_admin
from concerns.selectors.health import background_work


def console_background_warnings(request) -> dict:
    """On the console's pages, for administrators: the escalation sweep or the ledger's sealer has stopped."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/console/"):
        return {}
    if not is_console_admin(user):
        return {}
    return {"console_background_warnings": background_work().warnings()}
