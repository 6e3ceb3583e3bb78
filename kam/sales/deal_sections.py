"""Sections of the deal page. Each concept (needs, buying influences, MEDDPICC, competitors, team,
stage history) registers its own block, so the deal page view stays one loop and each part stays
in its own module.

`context(deal, viewer, access)` returns the section template's context (rendered as `section`);
a section should cost a fixed number of queries whatever the deal holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from kam.core.models import User
    from kam.sales.models import Opportunity
    from kam.sales.queries import DealAccess

SectionContext = Callable[["Opportunity", "User", "DealAccess"], dict[str, Any]]


@dataclass(frozen=True)
class DealSection:
    key: str  # also the HTML id of the section: deal-<key>
    title: str | Promise
    order: int
    template: str
    context: SectionContext


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str | Promise
    template: str
    context: dict[str, Any]


_sections: dict[str, DealSection] = {}


def register_deal_section(key: str, title: str | Promise, order: int, template: str, context: SectionContext) -> None:
    _sections[key] = DealSection(key, title, order, template, context)


def deal_sections() -> list[DealSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def render_sections(deal: Opportunity, viewer: User, access: DealAccess) -> list[RenderedSection]:
    return [RenderedSection(s.key, s.title, s.template, s.context(deal, viewer, access)) for s in deal_sections()]
