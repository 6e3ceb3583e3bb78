"""The layout every page shares: language, header, htmx, and no queries for anonymous visitors."""

from __future__ import annotations

from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kam.conftest import OrgWorld
from kam.web.tests.conftest import ClientFor


def test_pages_render_in_simplified_chinese_by_default(world: OrgWorld, client_for: ClientFor) -> None:
    html = client_for(world.owner).get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<span class="brand-name">大客户经营平台</span>' in html
    assert ">退出登录</button>" in html


def test_login_page_is_chinese_by_default(db: None) -> None:
    html = Client().get("/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert ">登录</button>" in html


def test_language_switch_turns_pages_english(world: OrgWorld, client_for: ClientFor) -> None:
    client = client_for(world.owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/settings/"})
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert ">Log out</button>" in html
    assert 'value="en" lang="en" class="btn-link" aria-pressed="true"' in html


def test_anonymous_login_page_makes_no_queries(db: None, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    client = Client()
    with django_assert_num_queries(0):
        assert client.get("/login/").status_code == 200


def test_layout_loads_htmx_locally_and_sends_csrf_with_it(world: OrgWorld, client_for: ClientFor) -> None:
    response = client_for(world.owner).get("/")
    html = response.content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert f'hx-headers=\'{{"X-CSRFToken": "{response.context["csrf_token"]}"}}\'' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="stylesheet" href="/static/web/kam.css">' in html
    assert "http://" not in html
    assert "https://" not in html


def test_header_has_nav_search_bell_and_user_menu(world: OrgWorld, en_client: ClientFor) -> None:
    html = en_client(world.owner).get("/").content.decode()
    assert '<a href="/" aria-current="page">Home</a>' in html
    assert 'action="/search/" method="get" role="search"' in html
    assert 'href="/notifications/"' in html
    assert f"<summary>{world.owner.name}</summary>" in html
    assert 'action="/logout/" method="post"' in html
    assert 'href="/settings/"' in html


def test_anonymous_header_has_no_user_menu(db: None) -> None:
    html = Client().get("/login/").content.decode()
    assert "user-menu" not in html
    assert "site-nav" not in html
    assert 'action="/i18n/setlang/"' in html


def test_messages_are_shown(world: OrgWorld, en_client: ClientFor) -> None:
    from kam.core.actions import create_api_token

    token, _plain = create_api_token(world.owner, "x")
    client = en_client(world.owner)
    response = client.post(f"/settings/tokens/{token.pk}/revoke/", follow=True)
    assert '<ul class="messages">' in response.content.decode()
    assert "The API token was revoked." in response.content.decode()
