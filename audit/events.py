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
CONCERN_OWNER_CHANGED = "concern.owner_changed"
CONCERN_PRIORITY_SET = "concern.priority_set"
CONCERN_RELEASED = "concern.released"
CONCERN_REVIEWED = "concern.reviewed"
CONCERN_REOPENED = "concern.reopened"
CONCERN_QUEUE_VIEWED = "concern.queue_viewed"
CONCERN_LIST_VIEWED = "concern.list_viewed"
CONCERN_DASHBOARD_VIEWED = "concern.dashboard_viewed"
CONCERN_RESTRICTION_LIFTED = "concern.restriction_lifted"
CONCERN_SEARCHED = "concern.searched"
CONCERN_SUBMITTED = "concern.submitted"
CONCERN_VIEWED = "concern.viewed"

# entry: casework on a concern (concerns.services.casework), one event per kind of entry
ENTRY_ACTION_ASSIGNED = "entry.action_assigned"
ENTRY_ACTION_COMPLETED = "entry.action_completed"
ENTRY_ACTION_REMINDED = "entry.action_reminded"
ENTRY_COMMUNICATION_RECORDED = "entry.communication_recorded"
ENTRY_INFORMATION_REQUESTED = "entry.information_requested"
ENTRY_MEETING_RECORDED = "entry.meeting_recorded"
ENTRY_NO_REFERRAL_RECORDED = "entry.no_referral_recorded"
ENTRY_NOTE_ADDED = "entry.note_added"
ENTRY_OUTCOME_RECORDED = "entry.outcome_recorded"
ENTRY_REFERRAL_RECORDED = "entry.referral_recorded"
ENTRY_REFERRAL_RESPONSE_RECORDED = "entry.referral_response_recorded"

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

# What each event is called on the ledger's pages and exports, in plain English: kept beside the
# names so that a new event gets its words in the same change (a test checks every name has them).
LABELS = {
    ACCESS_DENIED: "Access refused",
    ACCOUNT_CREATED: "Account created",
    ACCOUNT_DEACTIVATED: "Account deactivated",
    ACCOUNT_INVITED: "Invitation sent",
    ACCOUNT_LOCKED_OUT: "Locked out after failed sign-ins",
    ACCOUNT_LOGIN: "Signed in",
    ACCOUNT_LOGIN_FAILED: "Sign-in failed",
    ACCOUNT_LOGOUT: "Signed out",
    ACCOUNT_MFA_ENROLLED: "Authenticator app set up",
    ACCOUNT_MFA_FAILED: "Wrong authenticator code",
    ACCOUNT_MFA_RESET: "Authenticator app reset",
    ACCOUNT_MFA_VERIFIED: "Authenticator code accepted",
    ACCOUNT_PASSWORD_CHANGED: "Password changed",
    ACCOUNT_PASSWORD_RESET: "Password reset",
    ACCOUNT_PASSWORD_RESET_SENT: "Password reset email sent",
    ACCOUNT_REACTIVATED: "Account reactivated",
    ACCOUNT_RECOVERY_CODE_USED: "Recovery code used",
    ACCOUNT_SESSION_EXPIRED: "Session expired",
    ACCOUNT_SESSION_IDLE: "Signed out after being idle",
    ACCOUNT_UPDATED: "Account details changed",
    ATTACHMENT_DOWNLOADED: "Attachment downloaded",
    CATEGORY_CREATED: "Category created",
    CATEGORY_REINSTATED: "Category reinstated",
    CATEGORY_RETIRED: "Category retired",
    CATEGORY_UPDATED: "Category changed",
    CHILD_LEFT_ROLL: "Child left the roll",
    CHILD_SEARCHED: "Children searched for",
    CHILD_VIEWED: "Child's record viewed",
    CONCERN_ADDENDUM_ADDED: "Addendum added to a concern",
    CONCERN_CLAIMED: "Concern claimed for review",
    CONCERN_CLOSED: "Concern closed",
    CONCERN_DEADLINE_RECOMPUTED: "Review deadline recalculated",
    CONCERN_ESCALATED: "Concern escalated",
    CONCERN_OWNER_ASSIGNED: "Concern's owner assigned",
    CONCERN_OWNER_CHANGED: "Concern's owner changed, with the reason",
    CONCERN_PRIORITY_SET: "Concern's priority set",
    CONCERN_RELEASED: "Concern released for someone else to review",
    CONCERN_REVIEWED: "Concern reviewed",
    CONCERN_REOPENED: "Concern reopened",
    CONCERN_QUEUE_VIEWED: "Review queue viewed",
    CONCERN_LIST_VIEWED: "List of concerns viewed",
    CONCERN_DASHBOARD_VIEWED: "DSL dashboard viewed, naming the children with the most concerns",
    CONCERN_RESTRICTION_LIFTED: "Concern's restriction lifted",
    CONCERN_SEARCHED: "Concerns searched (the concerns and children shown)",
    CONCERN_SUBMITTED: "Concern recorded",
    CONCERN_VIEWED: "Concern viewed",
    ENTRY_ACTION_ASSIGNED: "Action asked of someone",
    ENTRY_ACTION_COMPLETED: "Action done",
    ENTRY_ACTION_REMINDED: "Reminder of an overdue action",
    ENTRY_COMMUNICATION_RECORDED: "Communication recorded",
    ENTRY_INFORMATION_REQUESTED: "More information asked of the author",
    ENTRY_MEETING_RECORDED: "Meeting recorded",
    ENTRY_NO_REFERRAL_RECORDED: "Decision not to refer recorded",
    ENTRY_NOTE_ADDED: "Note added",
    ENTRY_OUTCOME_RECORDED: "Outcome recorded",
    ENTRY_REFERRAL_RECORDED: "Referral recorded",
    ENTRY_REFERRAL_RESPONSE_RECORDED: "Response to a referral recorded",
    IMPORT_CHILDREN_CREATED: "Children added from the MIS",
    IMPORT_CHILDREN_RESTORED: "Children restored to the roll",
    IMPORT_CHILDREN_UPDATED: "Children's details updated from the MIS",
    LEDGER_EXPORTED: "Audit ledger exported",
    LEDGER_VIEWED: "Audit ledger viewed",
    MEMBERSHIP_ADDED: "Membership added",
    MEMBERSHIP_ENDED: "Membership ended",
    MEMBERSHIP_UPDATED: "Membership changed",
    NOTIFICATION_EMAIL_RETRIED: "Alert email sent again",
    NOTIFICATION_OPENED: "Alert opened as a notice",
    ORGANISATION_UPDATED: "Organisation settings changed",
    SHARE_EXPIRED: "Share ended at its end date",
    SHARE_FORM_VIEWED: "Sharing form opened",
    SHARE_GRANTED: "Record shared",
    SHARE_GRANTED_TO_NAMED_RECIPIENT: "Record shared with someone the author alerted",
    SHARE_LIST_VIEWED: "Shares listed",
    SHARE_REVOKED: "Share ended",
    SITE_UPDATED: "School's settings changed",
    TRAINING_RECORDED: "Training recorded",
    BENCHMARK_VIEWED: "Benchmark page read",
    "import.children": "Children's file from the MIS applied",
    "import.children_previewed": "Children's file from the MIS checked",
    "import.children_confirmed": "Children's file from the MIS confirmed",
    "import.children_viewed": "Children's import viewed",
    "import.children_failed": "Children's file from the MIS refused",
    "import.staff": "Staff file from the MIS applied",
    "import.staff_previewed": "Staff file from the MIS checked",
    "import.staff_confirmed": "Staff file from the MIS confirmed",
    "import.staff_viewed": "Staff import viewed",
    "import.staff_failed": "Staff file from the MIS refused",
}
# An entry with no event name is a change to a record's fields, written by auditlog.
FIELD_CHANGE_LABEL = "Record created or changed"


def label(name: str) -> str:
    """The plain-English words for an event name; the name itself for one written before it had words."""
    return LABELS.get(name, name) if name else FIELD_CHANGE_LABEL
