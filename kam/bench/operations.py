"""The operations timed by the benchmark: the reads a rep and a director do all day, and a claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.test import Client
from django.urls import NoReverseMatch, reverse

from kam.bench.timing import Operation
from kam.core import audit
from kam.core.models import Role, User
from kam.customers.actions import claim_customer
from kam.customers.models import Customer, OwnershipChange, PoolMember
from kam.customers.queries import (
    CustomerFilters,
    collaborators_of,
    contacts_of,
    customer_list,
    get_customer_for_user,
    ownership_history,
    search,
)

PAGE_SIZE = 50
API_LIST = "/api/v1/customers?limit=50"


@dataclass
class Subjects:
    """Who and what the operations use, picked from the dataset the same way every run."""

    rep: User
    director: User
    rep_customer: Customer
    pool_customer: Customer | None
    fragment: str
    initials: str

    def describe(self) -> list[str]:
        held = Customer.objects.filter(owner=self.rep).count()
        pool = self.pool_customer.name if self.pool_customer else "none found"
        return [
            f"rep: {self.rep.username} ({held} customers); director: {self.director.username}",
            f"360 customer: {self.rep_customer.name} ({self.rep_customer.contacts.count()} contacts)",
            f"search: fragment {self.fragment!r}, initials {self.initials!r}; claim: {pool}",
        ]


def pick_subjects() -> Subjects:
    """The median rep by customers held, their customer with the most contacts, a pool customer to claim."""
    reps = list(
        User.objects.filter(role=Role.REP, is_active=True)
        .annotate(held=Count("owned_customers"))
        .order_by("held", "username")
    )
    rep = reps[len(reps) // 2]
    director = User.objects.filter(role=Role.DIRECTOR, organization_id=rep.organization_id).order_by("id").first()
    assert director is not None, "the dataset has no director"
    customer = Customer.objects.filter(owner=rep).annotate(n=Count("contacts")).order_by("-n", "id").first()
    assert customer is not None, f"{rep.username} holds no customers"
    given_up = OwnershipChange.objects.filter(from_user=rep).values("customer_id")
    pools = PoolMember.objects.filter(user=rep).values("pool_id")
    pool_customer = Customer.objects.in_pool().filter(pool_id__in=pools).exclude(pk__in=given_up).order_by("id").first()
    fragment = customer.short_name[:2] or customer.name[2:4]
    initials = customer.name_initials.split(" ")[0][:4]
    return Subjects(rep, director, customer, pool_customer, fragment, initials)


def _list_page(user: User, filters: CustomerFilters) -> Callable[[], object]:
    """What the list page and the API run: the count for the pager, then the first 50 rows with tags."""

    def run() -> object:
        page = Paginator(customer_list(user, filters), PAGE_SIZE).get_page(1)
        return list(page.object_list)

    return run


def _customer_360(user: User, pk: int) -> Callable[[], object]:
    def run() -> object:
        customer = get_customer_for_user(user, pk)
        return (
            list(contacts_of(customer)),
            list(collaborators_of(customer)),
            list(ownership_history(customer)[:20]),
            list(audit.history(customer, limit=20)),
        )

    return run


def _page(client: Client, url: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.content

    return run


def _claim(user: User, customer: Customer) -> Callable[[], object]:
    return lambda: claim_customer(user, customer)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _views(s: Subjects) -> list[Operation]:
    try:
        detail = reverse("customer-detail", args=[s.rep_customer.pk])
        listing = reverse("customer-list")
    except NoReverseMatch:
        return []
    rep, director = _logged_in(s.rep), _logged_in(s.director)
    return [
        Operation("list page (HTML) — rep", _page(rep, listing)),
        Operation("list page (HTML) — director", _page(director, listing)),
        Operation("customer 360 page (HTML) — rep", _page(rep, detail)),
        Operation("customer 360 page (HTML) — director", _page(director, detail)),
        Operation("API list ?limit=50 (in-process) — rep", _page(rep, API_LIST)),
    ]


def operations(s: Subjects) -> list[Operation]:
    """Every operation, in table order; the HTML rows render the real views through the test client."""
    ops = [
        Operation("list p.1 — rep", _list_page(s.rep, CustomerFilters())),
        Operation("list p.1 — director (whole org)", _list_page(s.director, CustomerFilters())),
        Operation("search name fragment — rep", _list_page(s.rep, CustomerFilters(q=s.fragment))),
        Operation("search name fragment — director", _list_page(s.director, CustomerFilters(q=s.fragment))),
        Operation("search pinyin initials — rep", _list_page(s.rep, CustomerFilters(q=s.initials))),
        Operation("search pinyin initials — director", _list_page(s.director, CustomerFilters(q=s.initials))),
        Operation("search box (customers + contacts) — director", lambda: search(s.director, s.fragment)),
        Operation("customer 360 queries — rep", _customer_360(s.rep, s.rep_customer.pk)),
    ]
    ops += _views(s)
    if s.pool_customer is not None:
        ops.append(Operation("claim from pool — rep (rolled back)", _claim(s.rep, s.pool_customer), rolled_back=True))
    return ops
