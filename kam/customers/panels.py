"""Panels of the customer 360 page that later modules add (deals, account plan, contracts …).

A module registers `register_customer_panel(key, order, template, context)` from its AppConfig.ready();
`context(customer, viewer)` returns the template's context, or None to leave the panel out. Each
panel should cost a fixed number of queries whatever the customer holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kam.core.models import User
from kam.customers.models import Customer

PanelContext = Callable[[Customer, User], "dict[str, Any] | None"]


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    order: int
    template: str
    context: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(key: str, order: int, template: str, context: PanelContext) -> None:
    _panels[key] = CustomerPanel(key, order, template, context)


def panels_for(customer: Customer, viewer: User) -> list[RenderedPanel]:
    """The panels to show on this customer's page, in order."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(customer, viewer)
        if context is not None:
            rendered.append(RenderedPanel(panel.key, panel.template, context))
    return rendered
