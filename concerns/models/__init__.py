"""Concerns' models, by domain; every model is importable from `concerns.models`."""

from concerns.models.alerts import (  # noqa: F401
    Notification,
)
from concerns.models.casework import (  # noqa: F401
    ActionReminder,
    CaseEntry,
    EntryImmutable,
)
from concerns.models.children import (  # noqa: F401
    Category,
    Child,
)
from concerns.models.concerns import (  # noqa: F401
    Addendum,
    Attachment,
    BodyMapMark,
    Concern,
    ConcernChild,
    ConcernDraft,
    DraftAttachment,
    attachment_path,
    attachment_storage,
)
from concerns.models.imports import (  # noqa: F401
    ImportJob,
)
from concerns.models.review import (  # noqa: F401
    Closure,
    Escalation,
    ReviewDecision,
    TaskHeartbeat,
)
from concerns.models.sharing import (  # noqa: F401
    ChildUserObjectPermission,
    ConcernUserObjectPermission,
    Share,
)
