import os
from datetime import timedelta
from django.utils import timezone
from kam.customers.models import Contact
from kam.customers.tests.view_scene import _fast_hasher, make_scene, make_contact  # noqa

def test_shots(world, live_server, client):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    s = make_scene(world)
    boss = make_contact(world.owner, s.customer, "刘总", buying_role="decision", attitude="support", strength=5, is_key_person=True, relationship_owner=world.owner)
    make_contact(world.owner, s.customer, "陈工", reports_to=boss, buying_role="coach", attitude="oppose", title="技术总监")
    Contact.objects.filter(pk=s.contact.pk).update(reports_to=boss)
    client.force_login(world.manager_north)
    cookie = client.cookies["sessionid"].value
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"])
        for dev, vp in [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})]:
            ctx = b.new_context(viewport=vp, locale="zh-CN")
            ctx.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
            page = ctx.new_page()
            for name, path in [("list", "/customers/"), ("detail", f"/customers/{s.customer.pk}/"), ("map", f"/customers/{s.customer.pk}/map/"), ("create", "/customers/new/"), ("pool", f"/customers/pools/{s.pool.pk}/"), ("bin", "/customers/recycle-bin/"), ("merge", f"/customers/{s.customer.pk}/merge/?q=xhsj"), ("contact", f"/customers/contacts/{s.contact.pk}/"), ("pools", "/customers/pools/")]:
                page.goto(live_server.url + path)
                page.screenshot(path=f"/tmp/w2/{dev}-{name}.png", full_page=True)
            page.goto(live_server.url + "/customers/new/")
            page.locator("#id_name").press_sequentially("北京星河数据科技")
            page.wait_for_timeout(1500)
            page.screenshot(path=f"/tmp/w2/{dev}-dupcheck.png", full_page=False)
            page.goto(live_server.url + "/customers/")
            page.select_option("#id_tier", "A")
            page.wait_for_timeout(800)
            page.screenshot(path=f"/tmp/w2/{dev}-list-filtered.png", full_page=False)
            print("URL after filter", page.url)
            ctx.close()
        b.close()
