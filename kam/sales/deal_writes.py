"""Pieces every deal write shares: the row lock, the version bump, the audited fields, the
probability rule and the recording of stage changes. Used by actions_deals and actions_deal_stages."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext as _

from kam.core.errors import StaleVersion, refuse
from kam.core.models import User
from kam.sales.models import Opportunity, Stage, StageChange
from kam.sales.queries import get_opportunity_for_user

# Fields whose changes appear in the deal's history, one row per field.
AUDITED_FIELDS = [
    "name",
    "amount",
    "expected_close_date",
    "business_line",
    "stage",
    "probability",
    "probability_reason",
    "forecast_category",
    "source",
    "products_of_interest",
    "objective",
    "owner",
    "next_step",
    "next_step_date",
    "status",
    "close_reason",
    "won_by",
    "close_notes",
    "price_gap",
]
RELATED = ("customer", "customer__owner", "owner", "owner__team", "stage", "business_line", "close_reason", "won_by")


def locked_deal(actor: User, deal: Opportunity, expected_version: int | None = None) -> Opportunity:
    """The deal as it is under a row lock, after checking that `actor` may write it.

    404 when hidden, 403 when read-only, StaleVersion when `expected_version` is not the current one.
    """
    get_opportunity_for_user(actor, deal.pk, write=True)
    locked = Opportunity.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked.version)
    return locked


def save_with_version(deal: Opportunity, fields: list[str]) -> None:
    """Save `fields` and bump the version in the database (F(), so concurrent writers both count)."""
    deal.version = F("version") + 1  # type: ignore[assignment]
    deal.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])
    deal.refresh_from_db(fields=["version"])


def probability_for(stage: Stage, probability: int | None, reason: str) -> tuple[int, str]:
    """(probability, reason) after the rule: the stage default needs no reason; anything else needs one."""
    reason = " ".join((reason or "").split())
    if probability is None or probability == stage.default_probability:
        return stage.default_probability, ""
    if not 0 <= probability <= 100:
        raise refuse(_("Enter a probability from 0 to 100."), "probability")
    if not reason:
        raise refuse(
            _("Say why the probability differs from the stage default (%(default)d%%).")
            % {"default": stage.default_probability},
            "probability_reason",
        )
    return probability, reason[:200]


def check_stage_of_line(deal_line_id: int, stage: Stage | None) -> Stage:
    """`stage` when it is an active stage of the deal's business line; a refusal on "stage" otherwise."""
    if stage is None or stage.business_line_id != deal_line_id or not stage.active:
        raise refuse(_("Choose an active stage of the deal's business line."), "stage")
    return stage


def is_forward(current: Stage, target: Stage) -> bool:
    """A move to a later stage of the pipeline (the only kind a gate checks)."""
    return (target.position, target.pk) > (current.position, current.pk)


def record_stage_change(
    actor: User | None,
    deal: Opportunity,
    *,
    from_stage: Stage | None,
    from_status: str,
    at: datetime,
    gate_override: bool = False,
    missing: str = "",
    override_reason: str = "",
) -> StageChange:
    """One row of the deal's stage history: from where to the deal's current stage and status."""
    return StageChange.objects.create(
        organization_id=deal.organization_id,
        opportunity=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        from_status=from_status,
        to_status=deal.status,
        at=at,
        actor=actor,
        gate_override=gate_override,
        missing=missing[:300],
        override_reason=override_reason[:300],
    )
