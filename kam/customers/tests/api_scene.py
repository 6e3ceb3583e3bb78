"""The data behind the customers API tests: one customer per access case, built through the actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kam.conftest import OrgWorld
from kam.core.china import credit_code_check_char, org_code_check_char
from kam.core.models import User
from kam.customers import actions
from kam.customers.models import CollaboratorAccess, Contact, Customer, Industry, Pool, PoolMember, Region


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 (工商, 北京海淀) with organization code body `n`."""
    body = f"{n:08d}"
    first17 = "91110108" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def make_customer(actor: User, name: str, **fields: Any) -> Customer:
    tags = fields.pop("tags", None)
    pool = fields.pop("pool", None)
    owner = fields.pop("owner", None)
    if "industry" in fields:
        fields["industry"] = Industry.objects.get(pk=fields["industry"])
    for region in ("province", "city"):
        if region in fields:
            fields[region] = Region.objects.get(pk=fields[region])
    return actions.create_customer(
        actor, {"name": name, **fields}, tag_names=tags, owner=owner, pool=pool, confirm_duplicates=True
    )


def make_contact(actor: User, customer: Customer, name: str, **fields: Any) -> Contact:
    return actions.create_contact(actor, customer, {"name": name, **fields})


@dataclass
class Scene:
    customer: Customer  # owned by world.owner; world.collaborator reads it
    other: Customer  # a second customer of the owner, same collaborator (merge target)
    deleted: Customer  # the owner's customer in the recycle bin
    contact: Contact
    pool: Pool  # members: owner; admin: manager_north
    pool_customer: Customer

    def ids(self, world: OrgWorld) -> dict[str, int]:
        return {
            "customer": self.customer.pk,
            "other": self.other.pk,
            "deleted": self.deleted.pk,
            "contact": self.contact.pk,
            "pool": self.pool.pk,
            "pool_customer": self.pool_customer.pk,
            "teammate": world.teammate.pk,
            "collaborator": world.collaborator.pk,
        }


def build_scene(world: OrgWorld) -> Scene:
    owner = world.owner
    pool = Pool.objects.create(organization=world.org, name="华北公海")
    PoolMember.objects.create(pool=pool, user=owner)
    PoolMember.objects.create(pool=pool, user=world.manager_north, is_admin=True)
    customer = make_customer(owner, "北京星辰科技有限公司", credit_code=credit_code(1), tier="A", tags=["重点"])
    other = make_customer(owner, "上海海纳软件有限公司")
    deleted = make_customer(owner, "广州远航物流有限公司")
    for target in (customer, other, deleted):
        actions.set_collaborator(owner, target, world.collaborator, CollaboratorAccess.READ)
    actions.delete_customer(owner, deleted)
    contact = make_contact(owner, customer, "张伟", title="采购总监", mobile="13812345678")
    pool_customer = make_customer(world.admin, "深圳蓝鲸数据有限公司", pool=pool)
    return Scene(customer, other, deleted, contact, pool, pool_customer)
