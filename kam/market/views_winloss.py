"""The win/loss analysis page (赢单/输单分析): filters, KPI cards, tables and bars, one GET."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kam.core.models import Role, User
from kam.customers.views.helpers import actor_of, render_page_or_partial
from kam.market.forms_winloss import WinLossFilterForm
from kam.market.winloss import win_loss
from kam.market.winloss_rows import WinLossQuery
from kam.market.winloss_scope import covers_whole_organization


def scope_label(user: User, query: WinLossQuery) -> str:
    """Whose deals the numbers cover, in words (the page says it so nobody misreads a rep's page)."""
    if query.team is not None:
        return _("Deals owned in %(team)s and the teams below it") % {"team": query.team.name}
    if covers_whole_organization(user):
        return _("Deals of the whole organization")
    if user.role in (Role.MANAGER, Role.DIRECTOR) and user.team is not None:
        return _("Deals owned in %(team)s and the teams below it") % {"team": user.team.name}
    return _("Your own deals")


@login_required
@require_GET
def winloss_page(request: HttpRequest) -> HttpResponse:
    """The analysis for the viewer's scope; htmx filter changes swap only the results."""
    user = actor_of(request)
    form = WinLossFilterForm(request.GET or None, user=user, today=timezone.localdate())
    form.is_valid()
    query = form.query()
    context = {
        "form": form,
        "report": win_loss(user, query),
        "query": query,
        "scope": scope_label(user, query),
    }
    return render_page_or_partial(request, "market/winloss.html", "market/_winloss_results.html", context)
