from kam.core.models.audit import AuditAction, AuditEntry
from kam.core.models.notifications import Notification
from kam.core.models.org import Organization, Role, Team, TeamKind, User
from kam.core.models.softdelete import SoftDeleteModel
from kam.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEntry",
    "Notification",
    "Organization",
    "Role",
    "SoftDeleteModel",
    "Team",
    "TeamKind",
    "User",
]
