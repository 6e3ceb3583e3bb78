"""Sending: `Sweep` sends the garbage for one (route, role), each request in a rolled-back savepoint,
and collects every answer ≥ 500 (with its traceback) and every refused (4xx) write that still
changed a counted table (`COUNTED`)."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.http import StreamingHttpResponse
from django.test import Client

from kam.activities.models import Attachment, CoordinationRequest, FollowUp, RequestComment, Task, Visit
from kam.conftest import OrgWorld
from kam.core.models import AuditEntry, HolidayOverride, Notification, User
from kam.customers.models import Contact, Customer, OwnershipChange
from kam.market.models import Competitor, PriceIntel
from kam.planning.models import MarketNews, PlanItem, ReportComment, ReportRule, WorkReport
from kam.planning.models.account_plans import (
    AccountPlan,
    AccountPlanReview,
    BusinessUnit,
    KeyPlayer,
    PlanAction,
    PlanObjective,
    PlanTeamMember,
    WhitespaceCell,
)
from kam.sales.models import (
    BusinessLine,
    BuyingInfluence,
    CloseReason,
    DealCompetitor,
    NeedsVersion,
    Opportunity,
    OpportunityMember,
    ProductLine,
    QualificationScore,
    RequirementItem,
    SavedView,
    Stage,
    StageChange,
    StageGate,
)
from kam.web.tests.no500.bodies import Body
from kam.web.tests.no500.garbage import Params
from kam.web.tests.no500.routes import UNSAFE

# The people of the sweep, by the `world` attribute that plays them.
ROLES = ("anonymous", "owner", "stranger", "collaborator", "manager", "admin", "outsider")
ROLE_USERS = {
    "owner": "owner",
    "stranger": "stranger",
    "collaborator": "collaborator",
    "manager": "manager_north",
    "admin": "admin",
    "outsider": "outsider",
}


def user_for(world: OrgWorld, role: str) -> User | None:
    return None if role == "anonymous" else getattr(world, ROLE_USERS[role])


# Every row of these tables (soft-deleted ones too): a refused write must not change their counts.
COUNTED: dict[str, type[Model]] = {
    "customers": Customer,
    "contacts": Contact,
    "audit": AuditEntry,
    "ownership": OwnershipChange,
    "followups": FollowUp,
    "attachments": Attachment,
    "visits": Visit,
    "tasks": Task,
    "requests": CoordinationRequest,
    "request comments": RequestComment,
    "reports": WorkReport,
    "report comments": ReportComment,
    "report rules": ReportRule,
    "plan items": PlanItem,
    "news": MarketNews,
    "holiday overrides": HolidayOverride,
    "notifications": Notification,
    # issue 4: deals and what hangs on them, competitors and prices, account plans, sales settings
    "deals": Opportunity,
    "stage changes": StageChange,
    "deal members": OpportunityMember,
    "saved views": SavedView,
    "needs versions": NeedsVersion,
    "requirements": RequirementItem,
    "buying influences": BuyingInfluence,
    "qualification scores": QualificationScore,
    "deal competitors": DealCompetitor,
    "competitors": Competitor,
    "price intel": PriceIntel,
    "account plans": AccountPlan,
    "plan team": PlanTeamMember,
    "key players": KeyPlayer,
    "plan objectives": PlanObjective,
    "plan actions": PlanAction,
    "plan reviews": AccountPlanReview,
    "business units": BusinessUnit,
    "whitespace cells": WhitespaceCell,
    "business lines": BusinessLine,
    "stages": Stage,
    "stage gates": StageGate,
    "close reasons": CloseReason,
    "product lines": ProductLine,
}
# Read after every accepted write (in the same savepoint): every customer and contact the user sees…
READ_BACK = ("/api/v1/customers?limit=500&with_count=false", "/api/v1/contacts?limit=500")
# … and the list of what the write was about, and the row itself (its id taken from the URL).
READ_BACK_OF = {
    "deals/": "/api/v1/deals?status=all&page_size=200",
    "account-plans": "/api/v1/account-plans",
    "competitors": "/api/v1/price-intel",
    "price-intel": "/api/v1/price-intel",
}
READ_BACK_ROW = (
    (re.compile(r"/deals/(\d+)(?:[/?]|$)"), "/api/v1/deals/{}"),
    (re.compile(r"/account-plans/(\d+)(?:[/?]|$)"), "/api/v1/account-plans/{}/whitespace"),
)


def read_back_urls(target: str) -> list[str]:
    """The lists (and the deal or plan) read back after an accepted write to `target`."""
    urls = [*READ_BACK, *(url for part, url in READ_BACK_OF.items() if part in target)]
    urls += [url.format(match.group(1)) for pattern, url in READ_BACK_ROW if (match := pattern.search(target))]
    return urls


def db_counts() -> dict[str, int]:
    """The row counts of COUNTED, in one query."""
    tables = (connection.ops.quote_name(model._meta.db_table) for model in COUNTED.values())
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608 - model tables
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(COUNTED, row, strict=True))


@dataclass
class Problem:
    kind: str  # "500" | "changed on 4xx" | "500 when read back"
    role: str
    method: str
    url: str
    payload: str
    detail: str  # traceback or the counts

    def __str__(self) -> str:
        return f"[{self.kind}] {self.role} {self.method} {self.url}\n  payload: {self.payload}\n{self.detail}"


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def _consume(response: Any) -> None:
    """Read a streamed body: an export fails while streaming, after the status line was sent.

    The test client closes the response when the stream ends, with the signal that would close
    the connection held off; closing it here would drop the connection of the open transaction.
    """
    if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


@dataclass
class Sweep:
    """Sends requests for one role, each in a rolled-back savepoint, and collects the problems."""

    role: str
    user: User | None
    problems: list[Problem] = field(default_factory=list)
    client: Client = field(init=False)
    _session: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.client = Client()
        self._login()

    def _login(self) -> None:
        if self.user is None:
            return
        self.client.force_login(self.user)
        self._session = self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def _keep_logged_in(self) -> None:
        """Logout, password changes and session rotation in a rolled-back request must not end the sweep's session."""
        if self.user is None:
            return
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is None or cookie.value != self._session:
            self._login()

    def send(
        self,
        method: str,
        url: str,
        *,
        query: Params | None = None,
        body: Body | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        target = url + (("&" if "?" in url else "?") + urlencode(query) if query else "")
        payload = _short(query) if query else (_short(body.label) if body else "")
        unsafe = method in UNSAFE
        status = 0
        with transaction.atomic():
            before = db_counts() if unsafe else {}
            try:
                response = self._request(method, target, body, headers or {})
                _consume(response)
                status = response.status_code
            except Exception:  # noqa: BLE001 - every escape is the finding
                status = 500
                self.problems.append(Problem("500", self.role, method, target[:300], payload, traceback.format_exc()))
            else:
                if status >= 500:
                    self.problems.append(
                        Problem("500", self.role, method, target[:300], payload, f"status {status} without exception")
                    )
                elif unsafe and 400 <= status < 500:
                    after = db_counts()
                    if after != before:
                        self.problems.append(
                            Problem(
                                "changed on 4xx",
                                self.role,
                                method,
                                target[:300],
                                payload,
                                f"status {status}: {before} → {after}",
                            )
                        )
                elif unsafe and self.user is not None:
                    self._read_back(method, target, payload)
            transaction.set_rollback(True)
        if unsafe:
            self._keep_logged_in()
        return status

    def _read_back(self, method: str, target: str, payload: str) -> None:
        """A write that was accepted must not store what later breaks the lists that read it back."""
        for url in read_back_urls(target):
            try:
                response = self.client.get(url)
            except Exception:  # noqa: BLE001 - every escape is the finding
                detail = f"after the write, GET {url} raised:\n{traceback.format_exc()}"
            else:
                if response.status_code < 500:
                    continue
                detail = f"after the write, GET {url} answered {response.status_code}"
            self.problems.append(Problem("500 when read back", self.role, method, target[:300], payload, detail))
            return

    def _request(self, method: str, target: str, body: Body | None, headers: dict[str, str]) -> Any:
        if body is None:
            return self.client.generic(method, target, headers=headers)
        if isinstance(body.payload, dict):
            values = [v for value in body.payload.values() for v in (value if isinstance(value, list) else [value])]
            files = [v for v in values if isinstance(v, SimpleUploadedFile)]
            for upload in files:
                upload.seek(0)
            return self.client.post(target, data=body.payload, headers=headers)
        return self.client.generic(method, target, data=body.payload, content_type=body.content_type, headers=headers)
