"""Stage gates: the MEDDPICC minimums a deal needs before it may enter a stage.

`check_gate` answers what is missing for one move; `gate_status` shows the deal page what the next
stage asks for and what the deal has. A missing QualificationScore row counts as score 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kam.sales.models import MeddpiccElement, Opportunity, QualificationScore, Stage, StageGate

# Gates are listed in the MEDDPICC order people know, not in database order.
ELEMENT_ORDER = {element: i for i, element in enumerate(MeddpiccElement.values)}


@dataclass(frozen=True)
class GateShortfall:
    """One element a deal lacks for a stage: `required` minimum, `actual` score now."""

    element: str
    label: str
    required: int
    actual: int

    def describe(self) -> str:
        """「经济决策人 ≥1（当前 0）」 in the active language."""
        return _("%(element)s ≥ %(required)d (now %(actual)d)") % {
            "element": self.label,
            "required": self.required,
            "actual": self.actual,
        }


def describe_all(shortfalls: Iterable[GateShortfall]) -> str:
    """The shortfalls as one readable list (、 between items in Chinese)."""
    return pgettext("list separator", ", ").join(s.describe() for s in shortfalls)


class GateFailed(ValidationError):
    """A move refused by a stage gate: a ValidationError on "stage" whose `.shortfalls` name what is missing."""

    def __init__(self, shortfalls: Sequence[GateShortfall], extra: dict[str, list[str]] | None = None) -> None:
        self.shortfalls = list(shortfalls)
        message = _("Stage gate not met: %(missing)s") % {"missing": describe_all(self.shortfalls)}
        super().__init__({"stage": [message], **(extra or {})})


def element_label(element: str) -> str:
    return str(MeddpiccElement(element).label) if element in ELEMENT_ORDER else element


def scores_of(deal: Opportunity) -> dict[str, int]:
    """{element: score} of the deal's MEDDPICC rows (absent elements are simply missing: score 0)."""
    return dict(QualificationScore.objects.filter(opportunity_id=deal.pk).values_list("element", "score"))


def gates_of(stage: Stage) -> list[StageGate]:
    """The stage's gates in MEDDPICC order."""
    gates = list(StageGate.objects.filter(stage_id=stage.pk))
    return sorted(gates, key=lambda g: ELEMENT_ORDER.get(g.element, len(ELEMENT_ORDER)))


def shortfalls_for(gates: Iterable[StageGate], scores: dict[str, int]) -> list[GateShortfall]:
    """The gates that `scores` does not reach."""
    return [
        GateShortfall(gate.element, element_label(gate.element), gate.min_score, scores.get(gate.element, 0))
        for gate in gates
        if scores.get(gate.element, 0) < gate.min_score
    ]


def check_gate(deal: Opportunity, stage: Stage) -> list[GateShortfall]:
    """What `deal` lacks to enter `stage` (empty: it passes). Two queries."""
    return shortfalls_for(gates_of(stage), scores_of(deal))


@dataclass(frozen=True)
class GateCheck:
    element: str
    label: str
    required: int
    actual: int

    @property
    def passed(self) -> bool:
        return self.actual >= self.required


@dataclass(frozen=True)
class GateStatus:
    """The next stage of an open deal and each of its gates, passed or not."""

    stage: Stage
    checks: list[GateCheck]

    @property
    def passes(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def missing(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.passed]


def next_stage(deal: Opportunity, stages: Sequence[Stage]) -> Stage | None:
    """The first active stage after the deal's one, in pipeline order."""
    current = (deal.stage.position, deal.stage_id)
    later = [s for s in stages if s.active and (s.position, s.pk) > current]
    return min(later, key=lambda s: (s.position, s.pk)) if later else None


def gate_status(deal: Opportunity, stages: Sequence[Stage] | None = None) -> GateStatus | None:
    """For the deal page: what the NEXT stage asks for and what the deal has; None when closed or last.

    `stages`: the line's stages when the caller has them already (saves a query).
    """
    if not deal.is_open:
        return None
    if stages is None:
        stages = list(Stage.objects.filter(business_line_id=deal.business_line_id))
    target = next_stage(deal, stages)
    if target is None:
        return None
    scores = scores_of(deal)
    checks = [
        GateCheck(gate.element, element_label(gate.element), gate.min_score, scores.get(gate.element, 0))
        for gate in gates_of(target)
    ]
    return GateStatus(target, checks)
