"""The rows every route of the sweep points at, built once per module through the actions.

`build_scene(world)` fills the world fixture's organization: customers (owned, read-only
collaborator, in a pool, in the recycle bin), contacts, a pool with members and a rule, an import
job, a token, a notification, and rows of the other organization; then the rep's day
(scene_day.py) and the deals (scene_deals.py) of the owner, the stranger and the outsider.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from kam.conftest import OrgWorld
from kam.core.actions import create_api_token
from kam.core.models import Notification, User
from kam.customers import actions
from kam.customers.actions import pool_admin
from kam.customers.imports.actions import create_import_job
from kam.customers.models import CollaboratorAccess, Contact, Customer, RecycleReason
from kam.customers.tests.api_scene import credit_code
from kam.planning.models.account_plans import AccountPlan
from kam.sales.models import Opportunity
from kam.web.tests.no500.scene_day import day_rows
from kam.web.tests.no500.scene_deals import deal_rows

IMPORT_CSV = "客户名称,统一社会信用代码,奇怪的列\n北京导入测试有限公司,,x\n上海导入测试有限公司,,y\n".encode()


@dataclass
class Scene:
    world: OrgWorld
    ids: dict[str, int | str]  # row ids; the report kind and days, and the feed tokens, are text
    versions: dict[str, int]


def _customer(actor: User, name: str, **kwargs: Any) -> Customer:
    data = {"name": name, **kwargs.pop("data", {})}
    return actions.create_customer(actor, data, confirm_duplicates=True, **kwargs)


def build_scene(world: OrgWorld) -> Scene:
    """The rows every route of the sweep points at, made through the actions as far as they exist."""
    w = world
    pool = pool_admin.create_pool(
        w.admin, name="华北公海", claim_daily_cap=5, reclaim_cooldown_days=30, warn_days_before=3
    )
    member = pool_admin.add_pool_member(w.admin, pool, w.owner)
    pool_admin.add_pool_member(w.admin, pool, w.manager_north, is_admin=True)
    rule = pool_admin.create_pool_rule(w.admin, pool, reason=RecycleReason.NO_FOLLOWUP, tier="", days=30)
    pool_admin.set_service_levels(w.admin, {"A": 7, "B": 30, "C": None})

    customer = _customer(
        w.owner, "北京星辰科技有限公司", data={"credit_code": credit_code(1), "tier": "A"}, tag_names=["重点"]
    )
    other = _customer(w.owner, "北京星辰科技股份有限公司")  # the merge candidate
    deleted = _customer(w.owner, "广州远航物流有限公司")
    for target in (customer, other, deleted):
        actions.set_collaborator(w.owner, target, w.collaborator, CollaboratorAccess.READ)
    boss = actions.create_contact(w.owner, customer, {"name": "王强", "title": "总经理", "mobile": "13800000001"})
    contact = actions.create_contact(
        w.owner, customer, {"name": "张伟", "title": "采购总监", "mobile": "13812345678", "reports_to": boss}
    )
    gone_contact = actions.create_contact(w.owner, customer, {"name": "李娜", "mobile": "13900001111"})
    actions.delete_contact(w.owner, gone_contact)
    actions.delete_customer(w.owner, deleted)
    pool_customer = _customer(w.admin, "深圳蓝鲸数据有限公司", pool=pool)
    stranger_customer = _customer(w.stranger, "杭州西湖软件有限公司")

    outsider_customer = _customer(w.outsider, "别家客户有限公司")
    outsider_contact = actions.create_contact(w.outsider, outsider_customer, {"name": "赵六"})
    outsider_pool = pool_admin.create_pool(
        w.outsider, name="别家公海", claim_daily_cap=5, reclaim_cooldown_days=30, warn_days_before=3
    )

    job = create_import_job(w.owner, io.BytesIO(IMPORT_CSV), "客户.csv", len(IMPORT_CSV))
    stranger_job = create_import_job(w.stranger, io.BytesIO(IMPORT_CSV), "客户.csv", len(IMPORT_CSV))
    token, _plain = create_api_token(w.owner, "sweep")
    # No action creates notifications yet (the pool warning job does, at night): a row like its own.
    notification = Notification.objects.create(
        organization=w.org, user=w.owner, kind="pool.warning", title="提醒", url=f"/customers/{customer.pk}/"
    )
    ids = {
        "customer": customer.pk,
        "other": other.pk,
        "deleted": deleted.pk,
        "pool_customer": pool_customer.pk,
        "stranger_customer": stranger_customer.pk,
        "outsider_customer": outsider_customer.pk,
        "contact": contact.pk,
        "boss": boss.pk,
        "deleted_contact": gone_contact.pk,
        "outsider_contact": outsider_contact.pk,
        "pool": pool.pk,
        "outsider_pool": outsider_pool.pk,
        "member": member.pk,
        "rule": rule.pk,
        "job": job.pk,
        "stranger_job": stranger_job.pk,
        "token": token.pk,
        "notification": notification.pk,
        "team": w.beijing.pk,
        "root_team": w.company.pk,
        "teammate": w.teammate.pk,
        "collaborator": w.collaborator.pk,
        "admin": w.admin.pk,
        "outsider": w.outsider.pk,
        "outsider_team": w.outsider.team_id or 0,
    }
    ids.update(day_rows(w, customer, contact, stranger_customer, outsider_customer))
    customers = {"customer": customer, "other": other, "stranger_customer": stranger_customer}
    customers["outsider_customer"] = outsider_customer
    contacts = {"boss": boss, "contact": contact, "outsider_contact": outsider_contact}
    ids.update(deal_rows(w, customers, contacts))
    versions = {
        "customer": Customer.objects.get(pk=customer.pk).version,
        "contact": Contact.objects.get(pk=contact.pk).version,
        "deal": Opportunity.objects.get(pk=ids["deal"]).version,
        "plan": AccountPlan.objects.get(pk=ids["plan"]).version,
    }
    return Scene(world, ids, versions)
