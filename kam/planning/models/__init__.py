from kam.planning.models.news import MarketNews
from kam.planning.models.plans import DayPlan, PlanItem, PlanStatus
from kam.planning.models.reports import (
    ReportComment,
    ReportKind,
    ReportRead,
    ReportRule,
    ReportStatus,
    WorkReport,
)

__all__ = [
    "DayPlan",
    "MarketNews",
    "PlanItem",
    "PlanStatus",
    "ReportComment",
    "ReportKind",
    "ReportRead",
    "ReportRule",
    "ReportStatus",
    "WorkReport",
]
