"""Reads, each starting from what the user may see (the policy decides; selectors only read).

`recording` holds the recording, drafts, alerts and sharing reads and is re-exported here
(`from concerns import selectors`); `ledger` the ledger pages' and the child page's reads.
"""

from concerns.selectors.recording import (  # noqa: F401
    SEARCH_LIMIT,
    UNREAD_SHOWN,
    child_for_sharing,
    children_chosen,
    children_matching,
    concern_for_reading,
    concerns_shared_with,
    concerns_written_by,
    draft_of,
    drafts_of,
    key_belongs_to_someone_else,
    notifications_unread_for,
    share_managed_by,
    shares_live_on,
    shares_received_by,
    submitted_concern_id,
)
