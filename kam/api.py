"""Assembles the django-ninja routers of every app under /api/v1/.

Auth: `Authorization: Bearer <token>` or the browser session (CSRF on unsafe methods).
Docs at /api/v1/docs are served from ninja's bundled static files (no CDN).
"""

from kam.activities import api_calendar, api_followups, api_tasks
from kam.core import api as core_api
from kam.core.api_auth import API_AUTH
from kam.customers import api as customers_api
from kam.customers.imports import api as imports_api
from kam.customers.schemas import FIELD_ALIASES as CUSTOMER_FIELD_ALIASES
from kam.market import api as market_api
from kam.market import api_winloss
from kam.planning import api_account_plans, api_briefing, api_plan, api_reports
from kam.sales import api_competitors, api_config, api_deal_lists, api_deals, api_needs, api_qualification

api = core_api.KamNinjaAPI(
    title="KAM API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    description="KAM 大客户经营平台. Authenticate with `Authorization: Bearer <token>` or a signed-in session.",
)
core_api.install_error_handlers(api, field_aliases=CUSTOMER_FIELD_ALIASES)
customers_api.install_error_handlers(api)

api.add_router("", core_api.router)
api.add_router("", customers_api.router)
# Import jobs (kam/customers/imports/api.py).
api.add_router("", imports_api.router)
# The rep's day (issue 3): follow-ups and visits, tasks and requests, calendar, plan, reports, briefing.
for day_router in (api_followups, api_tasks, api_calendar, api_plan, api_reports, api_briefing):
    api.add_router("", day_router.router)
# Deals (issue 4).
for deal_router in (
    api_deals,
    api_deal_lists,
    api_needs,
    api_qualification,
    api_competitors,
    api_config,
    market_api,
    api_winloss,
    api_account_plans,
):
    api.add_router("", deal_router.router)


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check (touches no database)")
def health(request: object) -> dict[str, str]:
    """The no-database endpoint the benchmark compares the list API against."""
    return {"status": "ok"}
