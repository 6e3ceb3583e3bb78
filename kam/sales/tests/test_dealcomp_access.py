"""Who sees and who changes a deal's competitors, on the deal page and over the API (nothing changes on refusal)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kam.core.models import AuditEntry
from kam.customers.models import Collaborator, CollaboratorAccess
from kam.market.tests.fixtures_competitors import _english_messages, add_to_deal, make_competitor  # noqa: F401
from kam.sales.models import CompetitorStatus, DealCompetitor, MemberAccess
from kam.sales.tests.fixtures_deals import add_member, make_customer, make_deal

pytestmark = pytest.mark.django_db

HIDDEN = ["stranger", "manager_east", "outsider"]
READ_ONLY = ["read_member", "collaborator"]
WRITERS = ["owner", "manager_north", "director", "admin", "write_member"]


class Scene:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.customer = make_customer(world.owner, "北京地铁")
        self.deal = make_deal(world.owner, self.customer, name="北京地铁信号项目")
        self.rival = make_competitor(world.org, "华为", price_positioning="value")
        self.spare = make_competitor(world.org, "思科")
        self.row = add_to_deal(self.deal, self.rival, CompetitorStatus.INCUMBENT)
        add_member(self.deal, world.teammate, access=MemberAccess.READ)
        Collaborator.objects.create(
            organization=world.org, customer=self.customer, user=world.collaborator, access=CollaboratorAccess.READ
        )

    def user(self, who: str) -> Any:
        if who == "read_member":
            return self.world.teammate
        if who == "write_member":
            add_member(self.deal, self.world.stranger, access=MemberAccess.WRITE)
            return self.world.stranger
        return getattr(self.world, who)

    def state(self) -> Any:
        rows = list(DealCompetitor.objects.order_by("pk").values("competitor_id", "status", "notes"))
        return rows, AuditEntry.objects.count()


@pytest.fixture
def scene(world: Any) -> Scene:
    return Scene(world)


def _json(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _api_urls(scene: Scene) -> tuple[str, str]:
    base = f"/api/v1/deals/{scene.deal.pk}/competitors"
    return base, f"{base}/{scene.row.pk}"


def _page_urls(scene: Scene) -> tuple[str, str, str]:
    base = f"/deals/{scene.deal.pk}/competitors"
    return f"{base}/new/", f"{base}/{scene.row.pk}/", f"{base}/{scene.row.pk}/delete/"


def test_anonymous_is_sent_to_log_in_and_gets_401(scene: Scene, client_for: Any) -> None:
    before = scene.state()
    client = client_for(None)
    add, edit, delete = _page_urls(scene)
    for url in (add, edit):
        assert client.get(url).status_code == 302
    assert client.post(add, {"competitor": scene.spare.pk, "status": "shortlisted"}).status_code == 302
    assert client.post(edit, {"status": "won"}).status_code == 302
    assert client.post(delete).status_code == 302
    base, one = _api_urls(scene)
    assert client.get(base).status_code == 401
    assert _json(client, "post", base, {"competitor_id": scene.spare.pk}).status_code == 401
    assert _json(client, "patch", one, {"status": "won"}).status_code == 401
    assert client.delete(one).status_code == 401
    assert scene.state() == before


@pytest.mark.parametrize("who", HIDDEN)
def test_users_who_cannot_open_the_deal_get_404(scene: Scene, client_for: Any, who: str) -> None:
    before = scene.state()
    client = client_for(scene.user(who))
    add, edit, delete = _page_urls(scene)
    assert client.get(f"/deals/{scene.deal.pk}/").status_code == 404
    for url in (add, edit):
        assert client.get(url).status_code == 404
    assert client.post(add, {"competitor": scene.spare.pk, "status": "shortlisted"}).status_code == 404
    assert client.post(edit, {"status": "won"}).status_code == 404
    assert client.post(delete).status_code == 404
    base, one = _api_urls(scene)
    assert client.get(base).status_code == 404
    assert _json(client, "post", base, {"competitor_id": scene.spare.pk}).status_code == 404
    assert _json(client, "patch", one, {"status": "won"}).status_code == 404
    assert client.delete(one).status_code == 404
    assert scene.state() == before


@pytest.mark.parametrize("who", READ_ONLY)
def test_readers_see_the_competitors_but_cannot_change_them(scene: Scene, client_for: Any, who: str) -> None:
    before = scene.state()
    client = client_for(scene.user(who))
    page = client.get(f"/deals/{scene.deal.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    section = html[html.index('id="deal-competitors-body"') :]
    section = section[: section.index("</section>")]
    assert "华为" in section
    assert "Value" in section
    assert "/competitors/new/" not in section
    assert "/delete/" not in section
    add, edit, delete = _page_urls(scene)
    for url in (add, edit):
        assert client.get(url).status_code == 403
    assert client.post(add, {"competitor": scene.spare.pk, "status": "shortlisted"}).status_code == 403
    assert client.post(edit, {"status": "won"}).status_code == 403
    assert client.post(delete).status_code == 403
    base, one = _api_urls(scene)
    listed = client.get(base)
    assert listed.status_code == 200
    assert [(r["competitor"]["name"], r["status"]) for r in listed.json()] == [("华为", "incumbent")]
    assert _json(client, "post", base, {"competitor_id": scene.spare.pk}).status_code == 403
    assert _json(client, "patch", one, {"status": "won"}).status_code == 403
    assert client.delete(one).status_code == 403
    assert scene.state() == before


@pytest.mark.parametrize("who", WRITERS)
def test_writers_add_change_and_remove_on_the_pages(scene: Scene, client_for: Any, who: str) -> None:
    client = client_for(scene.user(who))
    html = client.get(f"/deals/{scene.deal.pk}/").content.decode()
    assert f'action="/deals/{scene.deal.pk}/competitors/new/"' in html
    add, edit, delete = _page_urls(scene)
    assert client.get(add).status_code == 200
    added = client.post(add, {"competitor": scene.spare.pk, "status": "shortlisted", "notes": "报价低"})
    assert added.status_code == 302
    assert added["Location"] == f"/deals/{scene.deal.pk}/#deal-competitors"
    assert client.post(edit, {"status": "eliminated", "notes": "出局"}).status_code == 302
    rows = list(DealCompetitor.objects.order_by("pk").values_list("competitor__name", "status", "notes"))
    assert rows == [("华为", "eliminated", "出局"), ("思科", "shortlisted", "报价低")]
    removed = client.post(delete, HTTP_HX_REQUEST="true")
    assert removed.status_code == 200
    assert 'id="deal-competitors-body"' in removed.content.decode()
    assert "<html" not in removed.content.decode()
    assert list(DealCompetitor.objects.values_list("competitor__name", flat=True)) == ["思科"]


@pytest.mark.parametrize("who", ["owner", "manager_north", "write_member"])
def test_writers_add_change_and_remove_over_the_api(scene: Scene, client_for: Any, who: str) -> None:
    client = client_for(scene.user(who))
    base, one = _api_urls(scene)
    created = _json(client, "post", base, {"competitor_id": scene.spare.pk, "status": "won", "notes": "中标"})
    assert created.status_code == 201
    body = created.json()
    assert (body["competitor"], body["status"], body["shown_status"], body["notes"]) == (
        {"id": scene.spare.pk, "name": "思科", "price_positioning": "", "active": True},
        "won",
        "won",
        "中标",
    )
    patched = _json(client, "patch", one, {"notes": "合同到期"})
    assert (patched.status_code, patched.json()["status"], patched.json()["notes"]) == (200, "incumbent", "合同到期")
    assert client.delete(one).status_code == 204
    assert [(r["competitor"]["name"], r["status"]) for r in client.get(base).json()] == [("思科", "won")]


def test_duplicates_and_second_winners_are_field_errors(scene: Scene, client_for: Any) -> None:
    client = client_for(scene.world.owner)
    add, edit, _delete = _page_urls(scene)
    page = client.post(add, {"competitor": scene.rival.pk, "status": "shortlisted"})
    assert page.status_code == 422
    assert page.context["form"].errors == {"competitor": ["This competitor is in the deal already."]}
    base, one = _api_urls(scene)
    api = _json(client, "post", base, {"competitor_id": scene.rival.pk})
    assert api.status_code == 422
    assert [(e["loc"], e["msg"]) for e in api.json()["detail"]] == [
        (["body", "competitor_id"], "This competitor is in the deal already.")
    ]
    assert _json(client, "post", base, {"competitor_id": scene.spare.pk, "status": "won"}).status_code == 201
    second = client.post(edit, {"status": "won", "notes": ""})
    assert second.status_code == 422
    assert second.context["form"].errors == {"status": ["Another competitor already won this deal."]}
    patched = _json(client, "patch", one, {"status": "won"})
    assert [(e["loc"], e["msg"]) for e in patched.json()["detail"]] == [
        (["body", "status"], "Another competitor already won this deal.")
    ]
    assert DealCompetitor.objects.filter(status="won").count() == 1


def test_a_manager_sees_a_link_to_create_a_profile_and_a_rep_does_not(scene: Scene, client_for: Any) -> None:
    rep = client_for(scene.world.owner).get(f"/deals/{scene.deal.pk}/").content.decode()
    manager = client_for(scene.world.manager_north).get(f"/deals/{scene.deal.pk}/").content.decode()
    assert 'href="/competitors/new/"' not in rep
    assert 'href="/competitors/new/"' in manager
    assert client_for(scene.world.owner).post("/competitors/new/", {"name": "临时对手"}).status_code == 403


def test_the_page_offers_only_competitors_not_yet_listed(scene: Scene, client_for: Any) -> None:
    make_competitor(scene.world.org, "停用", active=False)
    response = client_for(scene.world.owner).get(_page_urls(scene)[0])
    options = response.context["form"]["competitor"]
    labels = [choice.choice_label for choice in options if choice.data["value"]]
    assert labels == ["思科"]
