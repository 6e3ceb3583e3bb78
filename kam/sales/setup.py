"""The sales configuration an organization starts with: one business line, five stages with gates,
close reasons and a few product lines. Admins change all of it in 管理 → 销售设置."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kam.core.audit import in_default_language
from kam.core.models import Organization
from kam.sales.models import BusinessLine, CloseOutcome, CloseReason, MeddpiccElement, ProductLine, Stage, StageGate

# (name, default probability, exit criteria, gates entering the stage)
DEFAULT_STAGES = [
    (_("Initial contact"), 10, _("The customer has a project and agrees to talk about it."), []),
    (
        _("Needs analysis"),
        20,
        _("Pain, requirements, budget range and timeline recorded and confirmed by the customer."),
        [(MeddpiccElement.IDENTIFIED_PAIN, 1)],
    ),
    (
        _("Proposal and quote"),
        40,
        _("Solution presented and a quote sent to the economic buyer."),
        [(MeddpiccElement.ECONOMIC_BUYER, 1), (MeddpiccElement.CHAMPION, 1)],
    ),
    (
        _("Negotiation"),
        60,
        _("Open points of price and terms listed; the decision process is known."),
        [(MeddpiccElement.DECISION_CRITERIA, 1), (MeddpiccElement.DECISION_PROCESS, 1)],
    ),
    (
        _("Contract"),
        80,
        _("Contract text agreed; it is in the customer's approval and stamping (盖章) process."),
        [(MeddpiccElement.PAPER_PROCESS, 1), (MeddpiccElement.ECONOMIC_BUYER, 2)],
    ),
]

DEFAULT_REASONS = {
    CloseOutcome.WON: [_("Better solution"), _("Better price"), _("Relationship"), _("Service and delivery")],
    CloseOutcome.LOST: [
        _("Price"),
        _("Product or solution gap"),
        _("Competitor relationship"),
        _("Budget cut"),
        _("Project cancelled"),
        _("Lost contact"),
    ],
    CloseOutcome.INVALID: [_("Duplicate deal"), _("No real demand"), _("Entered by mistake")],
}

DEFAULT_PRODUCT_LINES = [
    _("Software licences"),
    _("Hardware"),
    _("Implementation services"),
    _("Support and maintenance"),
]


def has_pipeline(organization_id: int) -> bool:
    return BusinessLine.objects.filter(organization_id=organization_id).exists()


@transaction.atomic
def ensure_default_pipeline(organization: Organization) -> BusinessLine:
    """Create the starting configuration unless the organization has a business line already; idempotent."""
    line = BusinessLine.objects.filter(organization=organization).order_by("-is_default", "position", "id").first()
    if line is not None:
        return line
    line = BusinessLine.objects.create(
        organization=organization, name=in_default_language(_("Key accounts")), is_default=True
    )
    for position, (name, probability, criteria, gates) in enumerate(DEFAULT_STAGES, start=1):
        stage = Stage.objects.create(
            organization=organization,
            business_line=line,
            name=in_default_language(name),
            position=position,
            default_probability=probability,
            exit_criteria=in_default_language(criteria),
        )
        StageGate.objects.bulk_create(
            StageGate(organization=organization, stage=stage, element=element, min_score=score)
            for element, score in gates
        )
    CloseReason.objects.bulk_create(
        CloseReason(organization=organization, outcome=outcome, label=in_default_language(label), position=i)
        for outcome, labels in DEFAULT_REASONS.items()
        for i, label in enumerate(labels)
    )
    ProductLine.objects.bulk_create(
        ProductLine(organization=organization, name=in_default_language(name), position=i)
        for i, name in enumerate(DEFAULT_PRODUCT_LINES)
    )
    return line
