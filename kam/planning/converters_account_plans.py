"""Account plans and their grid as the plain values the API schemas describe (schemas_account_plans.py).

Built from the same queries as the plan page, so the answer costs a fixed number of queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kam.core.models import User
from kam.planning.models.account_plans import AccountPlan, ObjectiveStatus, PlanAction, PlanObjective
from kam.planning.queries_account_plans import (
    plan_key_players,
    plan_objectives,
    plan_reviews,
    plan_team,
)
from kam.planning.whitespace import Totals, WhitespaceGrid, build_grid


def user_ref(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "name": user.name}


def action_out(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "objective_id": action.objective_id,
        "title": action.title,
        "owner": user_ref(action.owner),
        "due_date": action.due_date,
        "done": action.done_at is not None,
        "done_at": action.done_at,
    }


def objective_out(objective: PlanObjective, today: date, actions: list[PlanAction] | None = None) -> dict[str, Any]:
    if actions is None:
        actions = list(objective.actions.select_related("owner").order_by("due_date", "pk"))
    return {
        "id": objective.pk,
        "title": objective.title,
        "owner": user_ref(objective.owner),
        "due_date": objective.due_date,
        "status": objective.status,
        "overdue": objective.status == ObjectiveStatus.OPEN and objective.due_date < today,
        "actions": [action_out(action) for action in actions],
    }


def plan_out(plan: AccountPlan, today: date) -> dict[str, Any]:
    """The whole plan with its parts and today's share of wallet."""
    grid = build_grid(plan)
    return {
        **{
            name: getattr(plan, name)
            for name in (
                "id",
                "version",
                "customer",
                "trends",
                "strengths",
                "vulnerabilities",
                "relationship_stage",
                "revenue_goal_3y",
                "share_of_wallet_goal",
                "last_reviewed_on",
                "created_at",
                "updated_at",
            )
        },
        "owner": user_ref(plan.owner),
        "share_of_wallet": grid.share,
        "team": [
            {"id": member.pk, "user": user_ref(member.user), "responsibility": member.responsibility}
            for member in plan_team(plan)
        ],
        "key_players": list(plan_key_players(plan)),
        "objectives": [
            objective_out(objective, today, list(objective.actions.all())) for objective in plan_objectives(plan)
        ],
        "business_units": [row.unit for row in grid.rows],
        "reviews": [
            {
                "id": review.pk,
                "reviewer": user_ref(review.reviewer),
                "reviewed_on": review.reviewed_on,
                "comments": review.comments,
                "created_at": review.created_at,
            }
            for review in plan_reviews(plan)
        ],
    }


def _spend(totals: Totals) -> dict[str, Any]:
    return {"our_spend": totals.ours, "category_spend": totals.category, "share_of_wallet": totals.share}


def grid_out(grid: WhitespaceGrid) -> dict[str, Any]:
    """The grid with row, column and grand totals, unspent money and each competitor's take."""
    rows = []
    for row in grid.rows:
        cells = []
        for spot in row.cells:
            cell = spot.cell
            cells.append(
                {
                    "business_unit_id": spot.unit.pk,
                    "product_line_id": spot.line.pk,
                    "recorded": cell is not None,
                    "status": spot.status,
                    "annual_spend": cell.annual_spend if cell else None,
                    "holder": cell.holder if cell else "",
                    "competitor": cell.competitor if cell else None,
                    "notes": cell.notes if cell else "",
                }
            )
        rows.append({**_spend(row.totals), "business_unit": row.unit, "cells": cells})
    return {
        **_spend(grid.totals),
        "rows": rows,
        "columns": [
            {**_spend(totals), "product_line": line} for line, totals in zip(grid.lines, grid.columns, strict=True)
        ],
        "unspent": grid.unspent,
        "competitors": [{"competitor": taken.competitor, "spend": taken.spend} for taken in grid.competitors],
    }


def plan_grid_out(plan: AccountPlan) -> dict[str, Any]:
    return grid_out(build_grid(plan))
