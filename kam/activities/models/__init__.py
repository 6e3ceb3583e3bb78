from kam.activities.models.calendar import CalendarFeed
from kam.activities.models.followups import Attachment, AttachmentKind, FollowUp, FollowUpKind
from kam.activities.models.requests import (
    CoordinationRequest,
    HelpRole,
    RequestComment,
    RequestKind,
    RequestStatus,
)
from kam.activities.models.tasks import Task, TaskPriority
from kam.activities.models.visits import Visit, VisitStatus

__all__ = [
    "Attachment",
    "AttachmentKind",
    "CalendarFeed",
    "CoordinationRequest",
    "FollowUp",
    "FollowUpKind",
    "HelpRole",
    "RequestComment",
    "RequestKind",
    "RequestStatus",
    "Task",
    "TaskPriority",
    "Visit",
    "VisitStatus",
]
