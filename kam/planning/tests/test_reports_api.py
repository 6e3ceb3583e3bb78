"""The reports API: the draft, save → submit, comments, read receipts, team status; 422 with the field."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from kam.conftest import OrgWorld
from kam.planning import actions_reports as actions
from kam.planning.models import ReportKind, ReportRead, WorkReport
from kam.planning.tests.fixtures_reports import DAY, at, day_scene, english_client, fingerprint, rule

PAST = date(2025, 6, 3)
JSON = "application/json"


@pytest.fixture(autouse=True)
def _no_proposals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kam.planning.reports.plan_candidates", lambda *args: [])


def test_draft_endpoint(world: OrgWorld) -> None:
    scene = day_scene(world)
    body = english_client(world.owner).get("/api/v1/reports/draft?kind=daily&date=2026-12-01").json()
    assert (body["kind"], body["period_start"], body["period_end"], body["plan_day"]) == (
        "daily",
        "2026-12-01",
        "2026-12-01",
        "2026-12-02",
    )
    assert body["work"][0] == {
        "customer_id": scene.huawei.pk,
        "customer": "华为技术有限公司",
        "items": [
            {"kind": "Phone call", "time": "09:30", "text": "电话确认拜访时间"},
            {
                "kind": "Visit",
                "time": "14:05",
                "text": "介绍二期方案 · Customer feedback: 预算已批，希望月底前报价"
                " · Next step: 周五前发报价 · stayed 55 min",
            },
        ],
    }
    assert body["stats"][:2] == [
        {"key": "new_customers", "label": "New customers", "count": 1},
        {"key": "followups", "label": "Follow-ups", "count": 3},
    ]
    assert WorkReport.objects.count() == 0


def test_save_submit_comment_read(world: OrgWorld) -> None:
    owner = english_client(world.owner)
    saved = owner.put("/api/v1/reports/daily/2025-06-03", {"problems": "缺少案例"}, content_type=JSON)
    assert saved.status_code == 200
    assert (saved.json()["status"], saved.json()["problems"]) == ("draft", "缺少案例")
    submitted = owner.post("/api/v1/reports/daily/2025-06-03/submit", {"summary": "总结"}, content_type=JSON)
    body = submitted.json()
    assert (body["status"], body["problems"], body["summary"]) == ("submitted", "缺少案例", "总结")
    assert body["submitted_at"].endswith("+08:00")
    report_id = body["id"]
    manager = english_client(world.manager_north)
    assert manager.get(f"/api/v1/reports/{report_id}").status_code == 200
    comment = manager.post(f"/api/v1/reports/{report_id}/comments", {"body": "多找几个案例"}, content_type=JSON)
    assert comment.status_code == 201
    assert comment.json()["author"]["username"] == "mgr_north"
    comments = owner.get(f"/api/v1/reports/{report_id}/comments").json()
    assert [c["body"] for c in comments] == ["多找几个案例"]
    reads = owner.get(f"/api/v1/reports/{report_id}/reads").json()
    assert [r["reader"]["username"] for r in reads] == ["mgr_north"]
    assert ReportRead.objects.count() == 1
    # Read already: the author can no longer withdraw.
    refused = owner.post(f"/api/v1/reports/{report_id}/withdraw", content_type=JSON)
    assert refused.status_code == 422


def test_withdraw_and_regenerate(world: OrgWorld) -> None:
    owner = english_client(world.owner)
    report_id = owner.post("/api/v1/reports/daily/2025-06-03/submit", {}, content_type=JSON).json()["id"]
    assert owner.post(f"/api/v1/reports/{report_id}/withdraw").json()["status"] == "draft"
    assert owner.post(f"/api/v1/reports/{report_id}/regenerate").json()["status"] == "draft"


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("put", "/api/v1/reports/yearly/2025-06-03", {}, ["path", "kind"]),
        ("put", "/api/v1/reports/daily/2025-02-30", {}, ["path", "day"]),
        ("put", "/api/v1/reports/daily/1066-10-14", {}, ["body", "day"]),
        ("put", "/api/v1/reports/daily/2099-01-05", {}, ["body"]),
        ("put", "/api/v1/reports/daily/2025-06-03", {"problems": "长" * 5001}, ["body", "problems"]),
        ("put", "/api/v1/reports/daily/2025-06-03", {"plan": 12}, ["body", "plan"]),
        ("get", "/api/v1/reports/draft?kind=daily&date=0001-01-01", None, ["body", "date"]),
        ("get", "/api/v1/reports?author_id=99999999999999999999", None, ["query", "author_id"]),
    ],
)
def test_bad_input_is_422_with_the_field(
    world: OrgWorld, method: str, path: str, body: dict[str, Any] | None, loc: list[str]
) -> None:
    before = fingerprint()
    client = english_client(world.owner)
    response = client.put(path, body, content_type=JSON) if method == "put" else client.get(path)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][: len(loc)] == loc
    assert fingerprint() == before


def test_empty_comment_is_422(world: OrgWorld) -> None:
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    before = fingerprint()
    response = english_client(world.manager_north).post(
        f"/api/v1/reports/{report.pk}/comments", {"body": "   "}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert fingerprint() == before


def test_team_status_endpoint(world: OrgWorld) -> None:
    rule(world, due=time(20))
    report = actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 21))
    actions.mark_read(world.manager_north, report)
    body = english_client(world.manager_north).get("/api/v1/reports/team?kind=daily&date=2026-12-01").json()
    assert (body["required"], body["submitted"], body["late"], body["due_day"]) == (2, 1, 1, "2026-12-01")
    rows = {row["user"]["username"]: row for row in body["rows"]}
    assert rows["owner"]["status"] == "submitted"
    assert rows["owner"]["late"] is True
    assert rows["owner"]["due"] == "2026-12-01T20:00:00+08:00"
    assert [r["username"] for r in rows["owner"]["read_by"]] == ["mgr_north"]
    # The real clock is past 2026-12-01 20:00 only after that day; either way the teammate has not submitted.
    assert rows["teammate"]["status"] in ("missing", "pending")
    assert rows["teammate"]["report_id"] is None


def test_list_filters(world: OrgWorld) -> None:
    actions.submit(world.owner, ReportKind.DAILY, DAY, now=at(DAY, 19))
    actions.save_draft(world.owner, ReportKind.WEEKLY, DAY, now=at(DAY, 19))
    actions.submit(world.teammate, ReportKind.DAILY, DAY, now=at(DAY, 19))
    manager = english_client(world.manager_north)
    by_author = manager.get(f"/api/v1/reports?author_id={world.teammate.pk}").json()["items"]
    assert [(r["author"]["username"], r["kind"]) for r in by_author] == [("teammate", "daily")]
    weekly = english_client(world.owner).get("/api/v1/reports?kind=weekly&date=2026-12-03").json()["items"]
    assert [(r["kind"], r["period_start"], r["status"]) for r in weekly] == [("weekly", "2026-11-30", "draft")]
