"""Price intelligence: who records it, its validations, and customer names shown only to those who may open them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kam.conftest import make_user
from kam.core.models import AuditEntry, Role
from kam.customers.models import Industry
from kam.market.models import PriceIntel
from kam.market.tests.fixtures_competitors import (  # noqa: F401 - fixtures
    _english_messages,
    make_competitor,
    make_price,
)
from kam.sales.tests.fixtures_deals import make_customer

pytestmark = pytest.mark.django_db

RECORDERS = ["owner", "stranger", "collaborator", "manager_north", "director", "admin"]


def _form(competitor: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "competitor": competitor.pk,
        "product": "交换机 S5700",
        "price": "12800.50",
        "unit": "台",
        "observed_on": "2025-03-01",
        "customer": "",
        "source": "招标结果公示",
        "confidence": "high",
        "notes": "",
    }
    data.update(overrides)
    return data


def _api(competitor: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "competitor_id": competitor.pk,
        "product": "交换机 S5700",
        "price": "12800.50",
        "unit": "台",
        "observed_on": "2025-03-01",
        "source": "招标结果公示",
        "confidence": "high",
    }
    data.update(overrides)
    return data


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/price-intel", data=json.dumps(body), content_type="application/json")


def _nothing_recorded() -> tuple[int, int]:
    return PriceIntel.objects.count(), AuditEntry.objects.filter(entity="market.priceintel").count()


# --- recording ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", RECORDERS)
def test_every_sales_role_records_a_price_on_the_page(world: Any, client_for: Any, who: str) -> None:
    rival = make_competitor(world.org, "华为")
    user = getattr(world, who)
    response = client_for(user).post("/competitors/prices/new/", _form(rival))
    assert response.status_code == 302
    price = PriceIntel.objects.get()
    assert (price.competitor_id, price.product, price.price, price.unit, price.observed_on) == (
        rival.pk,
        "交换机 S5700",
        Decimal("12800.50"),
        "台",
        date(2025, 3, 1),
    )
    assert (price.author_id, price.confidence, price.source, price.customer_id) == (
        user.pk,
        "high",
        "招标结果公示",
        None,
    )
    assert response["Location"] == (
        f"/competitors/prices/history/?competitor={rival.pk}&product=%E4%BA%A4%E6%8D%A2%E6%9C%BA+S5700"
    )
    assert AuditEntry.objects.filter(entity="market.priceintel", entity_id=price.pk, action="create").count() == 1


@pytest.mark.parametrize("role", [Role.SERVICE, Role.FINANCE])
def test_roles_outside_sales_read_prices_but_cannot_record(world: Any, client_for: Any, role: str) -> None:
    rival = make_competitor(world.org, "华为")
    make_price(world.owner, rival, "路由器", "100", date(2025, 1, 1))
    user = make_user(world.org, f"user_{role}", role, world.beijing)
    client = client_for(user)
    assert client.get("/competitors/prices/").status_code == 200
    assert client.get("/competitors/prices/new/").status_code == 403
    assert client.post("/competitors/prices/new/", _form(rival)).status_code == 403
    assert _post(client, _api(rival)).status_code == 403
    assert _nothing_recorded() == (1, 0)


def test_anonymous_and_other_organizations_record_nothing(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    anonymous = client_for(None)
    assert anonymous.get("/competitors/prices/").status_code == 302
    assert anonymous.post("/competitors/prices/new/", _form(rival)).status_code == 302
    assert anonymous.get("/api/v1/price-intel").status_code == 401
    assert _post(anonymous, _api(rival)).status_code == 401
    outsider = client_for(world.outsider)
    page = outsider.post("/competitors/prices/new/", _form(rival))
    assert page.status_code == 422
    assert page.context["form"].errors == {"competitor": ["Choose an active competitor of your organization."]}
    api = _post(outsider, _api(rival))
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "competitor_id"]
    assert _nothing_recorded() == (0, 0)


def test_a_future_date_is_a_field_error(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client = client_for(world.owner)
    page = client.post("/competitors/prices/new/", _form(rival, observed_on=tomorrow))
    assert page.status_code == 422
    assert page.context["form"].errors == {"observed_on": ["The date cannot be in the future."]}
    api = _post(client, _api(rival, observed_on=tomorrow))
    assert api.status_code == 422
    assert [(e["loc"], e["msg"]) for e in api.json()["detail"]] == [
        (["body", "observed_on"], "The date cannot be in the future.")
    ]
    today = timezone.localdate().isoformat()
    assert _post(client, _api(rival, observed_on=today)).status_code == 201
    assert PriceIntel.objects.count() == 1


def test_a_negative_price_is_a_field_error(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    client = client_for(world.owner)
    page = client.post("/competitors/prices/new/", _form(rival, price="-0.01"))
    assert page.status_code == 422
    assert page.context["form"].errors == {"price": ["A price cannot be negative."]}
    api = _post(client, _api(rival, price="-5"))
    assert api.status_code == 422
    assert [(e["loc"], e["msg"]) for e in api.json()["detail"]] == [(["body", "price"], "A price cannot be negative.")]
    free = _post(client, _api(rival, price="0"))
    assert (free.status_code, free.json()["price"]) == (201, "0.00")
    assert PriceIntel.objects.count() == 1


def test_a_customer_the_user_may_not_open_is_a_field_error(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    hidden = make_customer(world.stranger, "上海隐藏客户")
    client = client_for(world.owner)
    page = client.post("/competitors/prices/new/", _form(rival, customer=hidden.pk))
    assert page.status_code == 422
    assert page.context["form"].errors == {"customer": ["Choose a customer you can open."]}
    assert "上海隐藏客户" not in page.content.decode()
    api = _post(client, _api(rival, customer_id=hidden.pk))
    assert api.status_code == 422
    assert [(e["loc"], e["msg"]) for e in api.json()["detail"]] == [
        (["body", "customer_id"], "Choose a customer you can open.")
    ]
    assert _nothing_recorded() == (0, 0)
    mine = make_customer(world.owner, "北京地铁")
    created = _post(client, _api(rival, customer_id=mine.pk))
    assert created.status_code == 201
    assert created.json()["customer"] == {"id": mine.pk, "name": "北京地铁"}


def test_an_inactive_competitor_takes_no_new_prices(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为", active=False)
    client = client_for(world.owner)
    page = client.post("/competitors/prices/new/", _form(rival))
    assert page.context["form"].errors == {"competitor": ["Choose an active competitor of your organization."]}
    assert _post(client, _api(rival)).status_code == 422
    assert _nothing_recorded() == (0, 0)


def test_the_form_is_prefilled_from_the_query_string(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    mine = make_customer(world.owner, "北京地铁")
    response = client_for(world.owner).get(f"/competitors/prices/new/?competitor={rival.pk}&customer={mine.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{rival.pk}" selected>华为</option>' in html
    assert f'value="{mine.pk}" checked> 北京地铁' in html


# --- the list -------------------------------------------------------------------------------------


def test_hidden_customer_names_do_not_leak_into_the_price_list(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    secret = make_customer(world.owner, "北京绝密客户集团")
    make_price(world.owner, rival, "交换机", "100", date(2025, 1, 1), customer=secret)
    for who in ["stranger", "collaborator", "manager_east"]:
        client = client_for(getattr(world, who))
        for url in ["/competitors/prices/", f"/competitors/{rival.pk}/", f"/competitors/prices/?competitor={rival.pk}"]:
            html = client.get(url).content.decode()
            assert "北京绝密客户集团" not in html
            assert "交换机" in html
        api = client.get("/api/v1/price-intel").content.decode()
        assert "北京绝密客户集团" not in api
        assert json.loads(api)["items"][0]["customer"] is None
        history = client.get(f"/api/v1/price-intel/history?competitor={rival.pk}&product=交换机").content.decode()
        assert "北京绝密客户集团" not in history
        page = client.get(f"/competitors/prices/history/?competitor={rival.pk}&product=交换机").content.decode()
        assert "北京绝密客户集团" not in page
    for who in ["owner", "manager_north", "admin"]:
        client = client_for(getattr(world, who))
        assert "北京绝密客户集团" in client.get("/competitors/prices/").content.decode()
        assert client.get("/api/v1/price-intel").json()["items"][0]["customer"] == {
            "id": secret.pk,
            "name": "北京绝密客户集团",
        }


def test_prices_of_another_organization_are_not_listed(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    make_price(world.owner, rival, "本公司情报", "100", date(2025, 1, 1))
    client = client_for(world.outsider)
    assert "本公司情报" not in client.get("/competitors/prices/").content.decode()
    assert client.get("/api/v1/price-intel").json()["count"] == 0


def test_the_list_filters_by_competitor_product_dates_confidence_and_industry(world: Any, client_for: Any) -> None:
    huawei = make_competitor(world.org, "华为")
    cisco = make_competitor(world.org, "思科")
    bank = make_customer(world.owner, "工商银行", industry=Industry.objects.get(code="66"))
    mine = make_customer(world.owner, "首钢", industry=Industry.objects.get(code="31"))
    a = make_price(world.owner, huawei, "交换机 S5700", "100", date(2025, 1, 10), customer=bank, confidence="high")
    b = make_price(world.owner, huawei, "路由器 AR", "200", date(2025, 2, 10), customer=mine, confidence="low")
    c = make_price(world.owner, cisco, "交换机 C9300", "300", date(2025, 3, 10), confidence="high")
    client = client_for(world.owner)

    def ids(query: str) -> list[int]:
        return [item["id"] for item in client.get(f"/api/v1/price-intel?{query}").json()["items"]]

    assert ids("") == [c.pk, b.pk, a.pk]
    assert ids(f"competitor={huawei.pk}") == [b.pk, a.pk]
    assert ids("product=交换机") == [c.pk, a.pk]
    assert ids("date_from=2025-02-01&date_to=2025-02-28") == [b.pk]
    assert ids("confidence=high") == [c.pk, a.pk]
    assert ids("industry=66") == [a.pk]
    assert ids("industry=J") == [a.pk]  # the section of 66 (货币金融服务)
    assert ids("industry=C") == [b.pk]
    page = client.get(f"/competitors/prices/?competitor={huawei.pk}&product=交换机&industry=J").content.decode()
    assert page.count('id="price-row-') == 1
    assert f'id="price-row-{a.pk}"' in page


def _prices(world: Any, count: int) -> None:
    customers = [make_customer(world.owner, f"客户{count}-{i}") for i in range(2)]
    hidden = make_customer(world.stranger, f"隐藏{count}")
    for index in range(count):
        rival = make_competitor(world.org, f"对手{count}-{index}")
        customer = [customers[0], customers[1], hidden][index % 3]
        make_price(
            world.owner, rival, f"产品{index}", index, date(2025, 1, 1) + timedelta(days=index), customer=customer
        )


@pytest.mark.parametrize("rows", [3, 9])
def test_price_list_page_query_count_does_not_grow(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    _prices(world, rows)
    client = client_for(world.owner)
    client.get("/competitors/prices/")
    with django_assert_max_num_queries(8):
        response = client.get("/competitors/prices/")
    assert response.content.decode().count('id="price-row-') == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_price_list_api_query_count_does_not_grow(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    _prices(world, rows)
    client = client_for(world.owner)
    client.get("/api/v1/price-intel")
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/price-intel").json()
    assert body["count"] == rows
    assert sum(1 for item in body["items"] if item["customer"] is None) == rows // 3
