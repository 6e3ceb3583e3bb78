"""The morning briefing (晨会) page, printable, and its PDF export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam.core.workcal import next_workday, previous_workday
from kam.customers.views.helpers import actor_of, render_page_or_partial
from kam.planning.briefing import briefing_for
from kam.planning.briefing_pdf import render_briefing_pdf
from kam.planning.forms_briefing import FIRST_DAY, LAST_DAY, BriefingForm


def _team_param(request: HttpRequest) -> str:
    return request.GET.get("team", "").strip()


@login_required
@require_GET
def briefing_page(request: HttpRequest) -> HttpResponse:
    """晨会: the sections in order with counts; ?date= picks the meeting day, ?team= one of my teams."""
    user = actor_of(request)
    form = BriefingForm(request.GET, viewer=user)
    day = form.day(timezone.localdate())
    team = _team_param(request)
    briefing = briefing_for(user, day, team or None)
    previous = previous_workday(day, user.organization_id)
    following = next_workday(day, user.organization_id)
    context = {
        "form": form,
        "briefing": briefing,
        "team_param": str(briefing.team.pk) if briefing.team is not None else "",
        "previous_day": previous if previous >= FIRST_DAY else None,
        "next_day": following if following <= LAST_DAY else None,
    }
    # Like the list filters, a bad date is shown at the field and today's briefing answers (200).
    return render_page_or_partial(request, "planning/briefing.html", "planning/_briefing_body.html", context)


@login_required
@require_GET
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    """The same briefing as a PDF download; a bad date shows the page with the error instead."""
    user = actor_of(request)
    form = BriefingForm(request.GET, viewer=user)
    if not form.is_valid():
        response = briefing_page(request)
        response.status_code = 422
        return response
    day = form.day(timezone.localdate())
    briefing = briefing_for(user, day, _team_param(request) or None)
    response = HttpResponse(render_briefing_pdf(briefing), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="briefing-{day.isoformat()}.pdf"'
    return response
