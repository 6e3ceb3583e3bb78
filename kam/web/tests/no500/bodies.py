"""The garbage bodies of the sweep: for pages five forms and a JSON body with another method, for API
routes six JSON bodies per write method, and lying uploads for the routes that take files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile

from kam.web.tests.no500.bodies_json import (
    JSON_WRONG_TYPES,
    json_landmines,
    json_valid_but_ancient,
    json_valid_huge_ids,
)
from kam.web.tests.no500.bodies_json_deals import deal_json_largest, is_deal_api, meddpicc_bodies
from kam.web.tests.no500.forms import every_field, plausible_form
from kam.web.tests.no500.forms_deals import (
    DEAL_HUGE_IDS,
    DEAL_LARGEST,
    DEAL_PAGE_PREFIXES,
    DEAL_YEAR_ONE,
    deal_bad_values,
)
from kam.web.tests.no500.garbage import EMOJI_NAME, HUGE, INT64_PLUS_ONE, LONG, SQLISH
from kam.web.tests.no500.routes import UNSAFE, Route
from kam.web.tests.no500.scene import Scene
from kam.web.tests.no500.scene_day import png

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Body:
    """One garbage request body: the method, the content type and the raw bytes (or a multipart dict)."""

    label: str
    method: str
    content_type: str  # "" for multipart
    payload: bytes | dict[str, Any]


def _takes_files(route: Route) -> bool:
    return route.route.endswith(("/attachments", "attachments/", "photos/")) or "followup-create" in route.names


def _upload_bodies(field_name: str, form: dict[str, Any]) -> list[Body]:
    """Files that lie about their type, and one photo too many with a 300-character name."""
    not_a_photo = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\xff" * 64, content_type="image/png")
    photo_as_pdf = SimpleUploadedFile("方案.pdf", png().read(), content_type="application/pdf")
    zip_as_docx = SimpleUploadedFile("纪要.docx", b"PK\x03\x04" + b"\xff" * 100, content_type="application/msword")
    empty = SimpleUploadedFile("空.txt", b"", content_type="text/plain")
    not_utf8 = SimpleUploadedFile("记录.csv", "客户,电话\n".encode("gb18030") * 10, content_type="text/csv")
    too_many = [png(f"{index}.png") for index in range(9)] + [png("长" * 300 + "😀.png")]
    return [
        Body(
            "multipart: a broken PNG, a PNG named .pdf, a zip named .docx, an empty file, GB18030 text",
            "POST",
            "",
            {**form, field_name: [not_a_photo, photo_as_pdf, zip_as_docx, empty, not_utf8]},
        ),
        Body("multipart: ten photos, one with a 300-character name", "POST", "", {**form, field_name: too_many}),
    ]


def year_one_form(scene: Scene, route: Route) -> dict[str, Any]:
    """A plausible form but for the dates and times: the first day of the calendar."""
    return plausible_form(
        scene,
        route,
        next_followup_at="0001-01-01T00:00",
        birthday="0001-01-01",
        latitude="",
        longitude="",
        **dict.fromkeys(("occurred_at", "planned_at", "due_at", "remind_at"), "0001-01-01T00:00"),
        **dict.fromkeys(("date", "day"), "0001-01-01"),
        year="1",
        due_time="00:00",
        **DEAL_YEAR_ONE,
    )


def huge_ids_form(scene: Scene, route: Route) -> dict[str, Any]:
    """A plausible form but for the ids (and counts): one past a signed 64-bit integer."""
    return plausible_form(
        scene,
        route,
        **dict.fromkeys(
            (
                "owner",
                "pool",
                "reports_to",
                "relationship_owner",
                "user",
                "duplicate",
                "team",
                "parent",
                "transfer_to",
                "version",
                "customer",
                "contact",
                "contacts",
                "assignee",
                "item_ids",
                "working_days",
                "planned_minutes",
                "checkin_radius_m",
                "year",
            ),
            INT64_PLUS_ONE,
        ),
        **DEAL_HUGE_IDS,
    )


def bad_values_form(scene: Scene, route: Route) -> dict[str, Any]:
    """A plausible form with values that pass the fields' types but not what the actions allow."""
    return plausible_form(
        scene,
        route,
        credit_code="A" * 200,
        latitude="1e309",
        longitude="NaN",
        next_followup_at="9999-12-31T23:59",
        birthday="2024-02-30",
        website="javascript:alert(1)",
        strength=HUGE,
        holding_limit="1e309",
        days="0",
        tag_names=",".join(["t" * 31] * 3),
        action="apply_all",
        apply_all="merge",
        next="-1",
        occurred_at="9999-12-31T23:59",
        planned_at="9999-12-31T23:59",
        due_at="9999-12-31T23:59",
        remind_at="2024-02-30T10:00",
        planned_minutes="1e309",
        accuracy_m="NaN",
        working_days="0",
        due_time="25:61",
        date="9999-12-31",
        day="2024-02-30",
        direction="sideways",
        year="9999",
        checkin_radius_m="-1",
        webhook_kind="dingtalk",
        webhook_url="http://localhost:1/" + "机器人" * 200,
        content=LONG,
        body=LONG,
        subject="主" * 300,
        **deal_bad_values(scene),
    )


def _page_bodies(route: Route, scene: Scene) -> list[Body]:
    garbage_file = SimpleUploadedFile("客户😀.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100)
    # No NUL here: the middleware would refuse the whole body before the garbage file reached a view.
    junk: dict[str, Any] = every_field("-1", q=[SQLISH, "😀"], name=[EMOJI_NAME, LONG], file=garbage_file)
    other_method = ("PATCH", "PUT", "DELETE")[len(route.route) % 3]
    return [
        Body("form: huge numbers", "POST", FORM, urlencode(every_field(HUGE)).encode()),
        Body("multipart: negative numbers, unicode, SQL, garbage .xlsx", "POST", "", junk),
        Body("form: valid except year 1", "POST", FORM, urlencode(year_one_form(scene, route)).encode()),
        Body("form: valid except huge ids", "POST", FORM, urlencode(huge_ids_form(scene, route)).encode()),
        Body(
            "form: 200-char code, 1e309, NaN, 9999-12-31, next=-1",
            "POST",
            FORM,
            urlencode(bad_values_form(scene, route)).encode(),
        ),
        Body("json with " + other_method, other_method, JSON, JSON_WRONG_TYPES.encode()),
        *(_upload_bodies("attachments", plausible_form(scene, route)) if _takes_files(route) else []),
        *([_largest_form(scene, route)] if route.route.startswith(DEAL_PAGE_PREFIXES) else []),
    ]


def _largest_form(scene: Scene, route: Route) -> Body:
    form = plausible_form(scene, route, **DEAL_LARGEST)
    return Body("form: valid, the largest amounts", "POST", FORM, urlencode(form).encode())


def _api_bodies(route: Route, scene: Scene) -> list[Body]:
    unsafe = [m for m in route.methods if m in UNSAFE]
    writes = [m for m in unsafe if m != "DELETE"] or (["POST"] if not unsafe else [])
    deal_route = is_deal_api(route.route)
    bodies = []
    for method in writes:
        bodies += [
            Body("json: wrong types, nested objects, nulls, 1e309", method, JSON, JSON_WRONG_TYPES.encode()),
            Body("json: valid except huge ids", method, JSON, json_valid_huge_ids(scene, deal_route=deal_route)),
            Body(
                "json: 200-char code, long strings, 9999-12-31",
                method,
                JSON,
                json_landmines(scene, deal_route=deal_route),
            ),
            Body("json: valid except year 1 / long reason", method, JSON, json_valid_but_ancient(scene)),
            Body("json: not an object", method, JSON, b'[null, 1e309, "\\u0000"]'),
            Body("broken json, NUL bytes", method, JSON, b'{"name": "\x00\xff\xfe' + LONG.encode() + b'"'),
        ]
    if deal_route:
        bodies += [
            Body("json: valid, the largest amounts", method, JSON, json.dumps(deal_json_largest(scene)).encode())
            for method in writes
        ]
    if "put_meddpicc" in route.names:
        bodies += [Body(label, "PUT", JSON, payload) for label, payload in meddpicc_bodies(scene)]
    if _takes_files(route) and "POST" in unsafe:
        bodies += _upload_bodies("files", {})
    if "DELETE" in unsafe:
        bodies += [
            Body("no body", "DELETE", JSON, b""),
            Body("json: wrong types", "DELETE", JSON, JSON_WRONG_TYPES.encode()),
        ]
    return bodies


def body_variants(route: Route, scene: Scene) -> list[Body]:
    """Six garbage bodies for each way the route takes a body.

    Pages get five forms (from the third on they pass the forms' basic checks, so their landmines
    reach the actions) and a JSON body with PATCH, PUT or DELETE. API routes get six bodies with each
    of their POST/PUT/PATCH methods (and two with DELETE), so the bodies reach the handlers. Routes
    that take files (attachments, visit photos, a new follow-up) also get two uploads of lying files.
    """
    return _api_bodies(route, scene) if route.is_api else _page_bodies(route, scene)


def landmine_body(route: Route, scene: Scene, method: str) -> Body:
    """The one body sent to the other rows and the absurd ids."""
    if not route.is_api:
        return Body("form: valid except huge ids", "POST", FORM, urlencode(huge_ids_form(scene, route)).encode())
    if "put_meddpicc" in route.names and method == "PUT":
        label, payload = meddpicc_bodies(scene)[0]
        return Body(label, method, JSON, payload)
    return Body(
        "json: valid except huge ids", method, JSON, json_valid_huge_ids(scene, deal_route=is_deal_api(route.route))
    )
