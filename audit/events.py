"""Every event the ledger records, by name: one list, so that a typo is an error, not a new kind
of entry nobody's filter finds. `audit.services.audit_record` refuses a name not listed here.

The ledger stores the strings; these names never change once entries carry them.
"""

# access
ACCESS_DENIED = "access.denied"

# account
ACCOUNT_CREATED = "account.created"
ACCOUNT_DEACTIVATED = "account.deactivated"
ACCOUNT_INVITED = "account.invited"
ACCOUNT_LOCKED_OUT = "account.locked_out"
ACCOUNT_LOGIN = "account.login"
ACCOUNT_LOGIN_FAILED = "account.login_failed"
ACCOUNT_LOGOUT = "account.logout"
ACCOUNT_MFA_ENROLLED = "account.mfa_enrolled"
ACCOUNT_MFA_FAILED = "account.mfa_failed"
ACCOUNT_MFA_RESET = "account.mfa_reset"
ACCOUNT_MFA_VERIFIED = "account.mfa_verified"
ACCOUNT_PASSWORD_CHANGED = "account.password_changed"
ACCOUNT_PASSWORD_RESET = "account.password_reset"
ACCOUNT_PASSWORD_RESET_SENT = "account.password_reset_sent"
ACCOUNT_REACTIVATED = "account.reactivated"
ACCOUNT_RECOVERY_CODE_USED = "account.recovery_code_used"
ACCOUNT_SESSION_EXPIRED = "account.session_expired"
ACCOUNT_SESSION_IDLE = "account.session_idle"
ACCOUNT_UPDATED = "account.updated"

# attachment
ATTACHMENT_DOWNLOADED = "attachment.downloaded"

# category
CATEGORY_CREATED = "category.created"
CATEGORY_REINSTATED = "category.reinstated"
CATEGORY_RETIRED = "category.retired"
CATEGORY_UPDATED = "category.updated"

# child
CHILD_LEFT_ROLL = "child.left_roll"
CHILD_SEARCHED = "child.searched"
CHILD_VIEWED = "child.viewed"

# concern
CONCERN_ADDENDUM_ADDED = "concern.addendum_added"
CONCERN_CLAIMED = "concern.claimed"
CONCERN_CLOSED = "concern.closed"
CONCERN_DEADLINE_RECOMPUTED = "concern.deadline_recomputed"
CONCERN_ESCALATED = "concern.escalated"
CONCERN_OWNER_ASSIGNED = "concern.owner_assigned"
CONCERN_PRIORITY_SET = "concern.priority_set"
CONCERN_RELEASED = "concern.released"
CONCERN_REVIEWED = "concern.reviewed"
CONCERN_REOPENED = "concern.reopened"
CONCERN_QUEUE_VIEWED = "concern.queue_viewed"
CONCERN_LIST_VIEWED = "concern.list_viewed"
CONCERN_RESTRICTION_LIFTED = "concern.restriction_lifted"
CONCERN_SUBMITTED = "concern.submitted"
CONCERN_VIEWED = "concern.viewed"

# import
IMPORT_CHILDREN_CREATED = "import.children_created"
IMPORT_CHILDREN_RESTORED = "import.children_restored"
IMPORT_CHILDREN_UPDATED = "import.children_updated"

# ledger
LEDGER_EXPORTED = "ledger.exported"
LEDGER_VIEWED = "ledger.viewed"

# membership
MEMBERSHIP_ADDED = "membership.added"
MEMBERSHIP_ENDED = "membership.ended"
MEMBERSHIP_UPDATED = "membership.updated"

# notification
NOTIFICATION_EMAIL_RETRIED = "notification.email_retried"
# An alert opened as a notice of the facts, by someone alerted who may not read the concern.
NOTIFICATION_OPENED = "notification.opened"

# organisation
ORGANISATION_UPDATED = "organisation.updated"

# share
SHARE_EXPIRED = "share.expired"
SHARE_FORM_VIEWED = "share.form_viewed"
SHARE_GRANTED = "share.granted"
SHARE_GRANTED_TO_NAMED_RECIPIENT = "share.granted_to_named_recipient"
SHARE_LIST_VIEWED = "share.list_viewed"
SHARE_REVOKED = "share.revoked"

# site
SITE_UPDATED = "site.updated"

# training
TRAINING_RECORDED = "training.recorded"

# MIS imports: one event per step, for each kind of file.
IMPORT_KINDS = ("children", "staff")
IMPORT_STEPS = ("previewed", "confirmed", "viewed", "failed")


def import_event(kind: str, step: str = "") -> str:
    """ "import.children_previewed", or "import.staff" for a batch applied: the names listed below."""
    name = f"import.{kind}_{step}" if step else f"import.{kind}"
    if name not in ALL:
        raise ValueError(f"Not a ledger event: {name}")
    return name


# Written by the ledger's own tools, never by the application.
BENCHMARK_VIEWED = "benchmark.viewed"

ALL = frozenset(
    [value for key, value in dict(globals()).items() if key.isupper() and isinstance(value, str)]
    + [f"import.{kind}" for kind in IMPORT_KINDS]
    + [f"import.{kind}_{step}" for kind in IMPORT_KINDS for step in IMPORT_STEPS]
)
