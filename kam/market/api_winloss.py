"""The win/loss analysis over HTTP: GET /analysis/winloss, the numbers of the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import ValidationError

from kam.core.api import FieldProblem
from kam.core.api_auth import actor
from kam.market.forms_winloss import WinLossFilterForm
from kam.market.schemas_winloss import WinLossFilterQuery, WinLossOut
from kam.market.winloss import win_loss
from kam.market.winloss_rows import Totals, WinLossReport

router = Router()


def _totals(totals: Totals) -> dict[str, Any]:
    return {
        "won": totals.won,
        "lost": totals.lost,
        "invalid": totals.invalid,
        "win_rate": totals.win_rate,
        "won_amount": totals.won_amount,
        "average_won_amount": totals.average_won_amount,
        "average_won_cycle_days": totals.average_won_cycle,
        "average_lost_cycle_days": totals.average_lost_cycle,
    }


def report_data(report: WinLossReport) -> dict[str, Any]:
    """The report as the API's plain data (WinLossOut)."""
    query = report.query
    return {
        "start": query.start,
        "end": query.end,
        "team_id": query.team.pk if query.team else None,
        "business_line_id": query.business_line.pk if query.business_line else None,
        "totals": _totals(report.totals),
        "competitors": [
            {
                "id": c.competitor_id,
                "name": c.name,
                "won": c.won,
                "lost": c.lost,
                "win_rate": c.win_rate,
                "lost_to": c.lost_to,
            }
            for c in report.competitors
        ],
        "loss_reasons": {
            "months": [month.strftime("%Y-%m") for month in report.reasons.months],
            "reasons": [
                {"id": r.reason_id, "label": r.label, "counts": r.counts, "total": r.total}
                for r in report.reasons.reasons
            ],
        },
        "conversion": [
            {
                "business_line_id": line.line_id,
                "business_line": line.line,
                "deals": line.deals,
                "won": line.won,
                "steps": [vars(step) for step in line.steps],
            }
            for line in report.conversion
        ],
        "by_team": {
            "team_id": report.teams.root.pk if report.teams.root else None,
            "per_rep": report.teams.per_rep,
            "rows": [
                {"kind": row.kind, "id": row.key, "label": row.label, **_totals(row.totals)}
                for row in report.teams.rows
            ],
        },
    }


@router.get(
    "/analysis/winloss",
    response={200: WinLossOut, 422: FieldProblem},
    tags=["analysis"],
    summary="Win/loss analysis of my scope: win rates, competitors, loss reasons, conversion, cycle, by team",
)
def get_winloss(request: HttpRequest, filters: Query[WinLossFilterQuery]) -> dict[str, Any]:
    """Reps get their own deals, managers their subtree, directors and admins the organization.
    Without a period: the last 12 months. A bad value is a 422 naming the query parameter."""
    user = actor(request)
    sent = {name: value for name, value in filters.model_dump().items() if value is not None}
    form = WinLossFilterForm(sent, user=user, today=timezone.localdate())
    if not form.is_valid():
        raise ValidationError(
            [
                {"loc": ["query", name if name != "__all__" else "period"], "msg": str(msg), "type": "value_error"}
                for name, msgs in form.errors.items()
                for msg in msgs
            ]
        )
    return report_data(win_loss(user, form.query()))
