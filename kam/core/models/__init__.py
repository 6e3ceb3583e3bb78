from kam.core.models.audit import AuditAction, AuditEntry
from kam.core.models.calendar import HolidayOverride
from kam.core.models.notifications import Notification, WebhookMessage
from kam.core.models.org import Organization, Role, Team, TeamKind, User, WebhookKind
from kam.core.models.softdelete import SoftDeleteModel
from kam.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEntry",
    "HolidayOverride",
    "Notification",
    "Organization",
    "Role",
    "SoftDeleteModel",
    "Team",
    "TeamKind",
    "User",
    "WebhookKind",
    "WebhookMessage",
]
