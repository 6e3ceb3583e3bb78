"""Error pages speak the user's language and say what happened."""

from __future__ import annotations

import re
from typing import Any

from kam.conftest import OrgWorld


def test_missing_page_is_a_translated_404(world: OrgWorld, client_for: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = client_for(world.owner).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在，或者你无权访问。" in response.content.decode()


def test_hidden_customer_answers_like_a_missing_one(world: OrgWorld, client_for: Any, settings: Any) -> None:
    from kam.customers.actions import create_customer

    settings.DEBUG = False
    customer = create_customer(world.owner, {"name": "华为技术有限公司"})
    hidden = client_for(world.stranger).get(f"/customers/{customer.pk}/")
    missing = client_for(world.stranger).get("/customers/999999/")
    assert hidden.status_code == missing.status_code == 404
    body = hidden.content.decode()
    assert "页面不存在，或者你无权访问。" in body
    assert "华为" not in body
    # Same page apart from the masked CSRF token and the language form's "next" (the URL asked for).
    assert _normalised(hidden.content) == _normalised(missing.content)


def _normalised(body: bytes) -> str:
    text = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body.decode())
    return re.sub(r'name="next" value="[^"]*"', "", text)
