"""The OpenAPI schema and the docs page, served from this machine (no CDN)."""

from __future__ import annotations

import json

from django.test import Client


def test_openapi_schema_loads_and_lists_both_auth_methods(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/customers/{customer_id}" in schema["paths"]
    assert set(schema["paths"]["/api/v1/customers/{customer_id}"]) == {"get", "patch", "delete"}
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    patch = schema["paths"]["/api/v1/customers/{customer_id}"]["patch"]
    assert {"name": "If-Match", "in": "header"}.items() <= next(
        p for p in patch["parameters"] if p["in"] == "header"
    ).items()


def test_docs_page_uses_local_static_files_only(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    bundle = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
