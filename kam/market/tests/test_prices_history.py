"""Price history of one competitor's product: rows by date, exact statistics, a server-drawn SVG chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kam.market.charts import HEIGHT, PAD_BOTTOM, PAD_TOP, PAD_X, WIDTH, chart_points, price_chart
from kam.market.queries import price_history
from kam.market.tests.fixtures_competitors import _english_messages, make_competitor, make_price  # noqa: F401
from kam.sales.tests.fixtures_deals import make_customer

pytestmark = pytest.mark.django_db


def _series(world: Any) -> Any:
    rival = make_competitor(world.org, "华为")
    make_price(world.owner, rival, "交换机 S5700", "120.00", date(2025, 3, 1))
    make_price(world.owner, rival, "交换机 s5700", "100.00", date(2025, 1, 1))
    make_price(world.owner, rival, "交换机 S5700", "90.50", date(2025, 4, 1))
    make_price(world.owner, rival, "交换机 S5700", "200.00", date(2025, 2, 1))
    make_price(world.owner, rival, "路由器 AR", "999.00", date(2025, 5, 1))
    make_price(world.owner, make_competitor(world.org, "思科"), "交换机 S5700", "1.00", date(2025, 5, 1))
    return rival


def test_history_statistics_are_exact(world: Any) -> None:
    rival = _series(world)
    history = price_history(world.stranger, rival, "  交换机   S5700 ")
    assert history.product == "交换机 S5700"
    assert [(row.observed_on, row.price) for row in history.rows] == [
        (date(2025, 1, 1), Decimal("100.00")),
        (date(2025, 2, 1), Decimal("200.00")),
        (date(2025, 3, 1), Decimal("120.00")),
        (date(2025, 4, 1), Decimal("90.50")),
    ]
    stats = history.stats
    assert stats is not None
    assert (stats.count, stats.minimum, stats.median, stats.maximum, stats.latest, stats.latest_on) == (
        4,
        Decimal("90.50"),
        Decimal("110.00"),
        Decimal("200.00"),
        Decimal("90.50"),
        date(2025, 4, 1),
    )


def test_history_with_an_odd_count_takes_the_middle_price(world: Any) -> None:
    rival = make_competitor(world.org, "华为")
    for day, price in [(1, "30"), (2, "10"), (3, "20")]:
        make_price(world.owner, rival, "服务器", price, date(2025, 6, day))
    stats = price_history(world.owner, rival, "服务器").stats
    assert stats is not None
    assert (stats.minimum, stats.median, stats.maximum, stats.latest) == (
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("30.00"),
        Decimal("20.00"),
    )


def test_unknown_product_has_no_history(world: Any) -> None:
    rival = _series(world)
    history = price_history(world.owner, rival, "没有的产品")
    assert (history.rows, history.stats) == ([], None)
    assert price_history(world.owner, rival, "   ").stats is None


def test_chart_points_scale_dates_and_prices_onto_the_canvas() -> None:
    points = chart_points(
        [(date(2025, 1, 1), Decimal("100")), (date(2025, 1, 11), Decimal("300")), (date(2025, 1, 21), Decimal("200"))]
    )
    bottom = HEIGHT - PAD_BOTTOM
    middle = (PAD_TOP + bottom) / 2
    assert [(p.x, p.y) for p in points] == [
        (PAD_X, bottom),
        (WIDTH / 2, PAD_TOP),
        (WIDTH - PAD_X, middle),
    ]
    assert points[1].label == "2025-01-11 ¥300.00"


def test_a_single_price_sits_in_the_middle() -> None:
    (point,) = chart_points([(date(2025, 1, 1), Decimal("5"))])
    assert (point.x, point.y) == (PAD_X + (WIDTH - 2 * PAD_X) / 2, (PAD_TOP + HEIGHT - PAD_BOTTOM) / 2)


def test_the_chart_is_an_svg_polyline_with_escaped_text() -> None:
    svg = price_chart([(date(2025, 1, 1), Decimal("1")), (date(2025, 1, 2), Decimal("2"))], '<script>"x"</script>')
    assert svg.startswith('<svg class="competitors-chart" viewBox="0 0 480 200" role="img"')
    assert "<script>" not in svg
    assert "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in svg
    assert f'<polyline class="competitors-chart-line" points="{PAD_X},{HEIGHT - PAD_BOTTOM} ' in svg
    assert svg.count("<circle ") == 2
    assert price_chart([], "空") == ""


def test_the_history_page_shows_table_chart_and_statistics(world: Any, client_for: Any) -> None:
    rival = _series(world)
    response = client_for(world.collaborator).get(
        f"/competitors/prices/history/?competitor={rival.pk}&product=交换机 S5700"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="price-row-') == 4
    assert html.count("<circle ") == 4
    assert "<polyline " in html
    stats = html[html.index('id="price-stats"') : html.index('id="price-chart"')]
    values = [part.split("<")[0] for part in stats.split('class="stat-value">')[1:]]
    assert values == ["¥90.50", "¥110.00", "¥200.00", "¥90.50"]


def test_the_history_page_escapes_a_hostile_product_name(world: Any, client_for: Any) -> None:
    rival = make_competitor(world.org, "华为")
    make_price(world.owner, rival, '<img src=x onerror="alert(1)">', "10", date(2025, 1, 1))
    response = client_for(world.owner).get(
        "/competitors/prices/history/", {"competitor": rival.pk, "product": '<img src=x onerror="alert(1)">'}
    )
    html = response.content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.count("<circle ") == 1


def test_without_a_product_the_page_lists_the_products_to_choose(world: Any, client_for: Any) -> None:
    rival = _series(world)
    html = client_for(world.owner).get(f"/competitors/prices/history/?competitor={rival.pk}").content.decode()
    assert "Choose a product" in html
    assert "交换机 S5700" in html
    assert "路由器 AR" in html
    assert "<svg class=" not in html


def test_history_page_and_api_are_404_for_other_organizations_and_missing_ids(world: Any, client_for: Any) -> None:
    rival = _series(world)
    outsider = client_for(world.outsider)
    assert outsider.get(f"/competitors/prices/history/?competitor={rival.pk}&product=x").status_code == 404
    assert outsider.get(f"/api/v1/price-intel/history?competitor={rival.pk}&product=x").status_code == 404
    owner = client_for(world.owner)
    for raw in ["", "abc", "0", "-1", "99999999999999999999999", "1e3", "1.5"]:
        assert owner.get(f"/competitors/prices/history/?competitor={raw}&product=x").status_code == 404
    # NUL characters are refused by the project's middleware before any view runs.
    assert owner.get("/competitors/prices/history/?competitor=%00&product=x").status_code == 400
    anonymous = client_for(None)
    assert anonymous.get(f"/competitors/prices/history/?competitor={rival.pk}&product=x").status_code == 302
    assert anonymous.get(f"/api/v1/price-intel/history?competitor={rival.pk}&product=x").status_code == 401


def test_history_api_returns_rows_and_statistics(world: Any, client_for: Any) -> None:
    rival = _series(world)
    hidden = make_customer(world.stranger, "上海保密客户")
    make_price(world.stranger, rival, "交换机 S5700", "150.00", date(2025, 4, 15), customer=hidden)
    body = client_for(world.owner).get(f"/api/v1/price-intel/history?competitor={rival.pk}&product=交换机 S5700").json()
    assert body["competitor"] == {"id": rival.pk, "name": "华为"}
    assert body["product"] == "交换机 S5700"
    assert [(row["observed_on"], row["price"], row["customer"]) for row in body["rows"]] == [
        ("2025-01-01", "100.00", None),
        ("2025-02-01", "200.00", None),
        ("2025-03-01", "120.00", None),
        ("2025-04-01", "90.50", None),
        ("2025-04-15", "150.00", None),
    ]
    assert body["stats"] == {
        "count": 5,
        "minimum": "90.50",
        "median": "120.00",
        "maximum": "200.00",
        "latest": "150.00",
        "latest_on": "2025-04-15",
    }
    empty = client_for(world.owner).get(f"/api/v1/price-intel/history?competitor={rival.pk}&product=无").json()
    assert (empty["rows"], empty["stats"]) == ([], None)


def test_every_page_renders_in_chinese_and_htmx_gets_the_table_only(world: Any) -> None:
    from django.test import Client

    rival = _series(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.manager_north)
    pages = {
        "/competitors/": "竞争对手",
        f"/competitors/{rival.pk}/": "竞争对手档案",
        "/competitors/new/": "新建竞争对手",
        f"/competitors/{rival.pk}/edit/": "价格定位",
        "/competitors/prices/": "价格情报",
        "/competitors/prices/new/": "录入价格",
        f"/competitors/prices/history/?competitor={rival.pk}&product=交换机 S5700": "中位数",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    for url, table in [
        ("/competitors/?q=华", "competitor-table"),
        ("/competitors/prices/?product=交换机", "price-table"),
    ]:
        partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert partial.startswith(f'<section id="{table}"')
        assert "<html" not in partial
