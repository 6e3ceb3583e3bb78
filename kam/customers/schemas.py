"""Typed shapes of the customers API, and how input values reach the shared forms.

Input schemas only type the values: the rules live in kam/customers/forms.py, which the API
runs exactly as the web pages do.
"""

from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.forms import BaseForm
from django.forms.models import model_to_dict
from ninja import Field, Schema
from pydantic import BaseModel, JsonValue

from kam.core.api import MAX_OFFSET, DbId, LocalDateTime, UserRef
from kam.customers.forms import CONTACT_FIELDS, CUSTOMER_FIELDS, ContactForm, CustomerForm
from kam.customers.models import (
    Attitude,
    BuyingRole,
    Contact,
    Customer,
    CustomerSource,
    CustomerStatus,
    CustomerTier,
    EmployeesBand,
    Influence,
    RevenueBand,
)
from kam.customers.queries import CustomerFilters


def _codes(choices: type[models.TextChoices], blank: bool = False) -> dict[str, JsonValue]:
    """Document the stored codes in OpenAPI; validation (and its message) stays with the form."""
    values: list[JsonValue] = [str(value) for value in choices.values]
    return {"enum": ["", *values] if blank else values}


# --- references -------------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class IdName(Schema):
    id: int
    name: str


# --- customers ----------------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    version: int
    name: str
    short_name: str
    credit_code: str
    industry: CodeName | None
    province: CodeName | None
    city: CodeName | None
    city_tier: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    website: str
    employees_band: str
    revenue_band: str
    source: str
    tier: str
    status: str
    notes: str
    owner: UserRef | None
    pool: IdName | None
    locked: bool
    tags: list[str]
    last_followup_at: LocalDateTime | None
    next_followup_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        # .all() so a prefetch made by the list query is used.
        return sorted(tag.name for tag in obj.tags.all())


class CustomerListItem(BaseModel):
    """One row of GET /customers: the scalar fields of CustomerOut, with every reference flattened to
    its id or code and its name (GET /customers/{id} keeps the nested objects).

    A plain pydantic model, not a ninja Schema: a Schema wraps every input in a getter and costs
    about 30 µs a row even for dicts (kam/customers/list_rows.py builds the dicts).
    """

    id: int
    version: int
    name: str
    short_name: str
    credit_code: str
    industry_code: str | None = Field(description="GB/T 4754 code")
    industry_name: str | None
    province_code: str | None = Field(description="GB/T 2260 code")
    province_name: str | None
    city_code: str | None = Field(description="GB/T 2260 code")
    city_name: str | None
    city_tier: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    website: str
    employees_band: str
    revenue_band: str
    source: str
    tier: str
    status: str
    notes: str
    owner_id: int | None
    owner_name: str | None = Field(description="Display name, else user name; null for pool customers")
    pool_id: int | None
    pool_name: str | None
    locked: bool
    tags: list[str]
    last_followup_at: LocalDateTime | None
    next_followup_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime


class CustomerPage(BaseModel):
    items: list[CustomerListItem]
    count: int | None = Field(description="Every customer matching the filters; null with with_count=false")
    next_offset: int | None = Field(description="The offset of the next page; null on the last page")


class CustomerPageQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    with_count: bool = Field(
        True,
        description="false skips counting every match (one query less; count is null): "
        "page through with next_offset instead",
    )


class CustomerFields(Schema):
    """The editable fields of a customer (forms.CUSTOMER_FIELDS plus tags). Codes for references."""

    name: str
    short_name: str = ""
    credit_code: str = Field("", description="统一社会信用代码, 18 characters")
    industry: str = Field("", description="GB/T 4754 code: a section letter or a two-digit division")
    province: str = Field("", description="GB/T 2260 province code")
    city: str = Field("", description="GB/T 2260 city code; the province follows from it when omitted")
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str = ""
    website: str = ""
    employees_band: str = Field("", json_schema_extra=_codes(EmployeesBand, blank=True))
    revenue_band: str = Field("", json_schema_extra=_codes(RevenueBand, blank=True))
    source: str = Field("", json_schema_extra=_codes(CustomerSource, blank=True))
    tier: str = Field(str(CustomerTier.C), json_schema_extra=_codes(CustomerTier))
    status: str = Field(str(CustomerStatus.PROSPECT), json_schema_extra=_codes(CustomerStatus))
    notes: str = ""
    next_followup_at: datetime | None = Field(
        None, description="ISO 8601; without an offset it is read as Beijing time"
    )
    tags: list[str] = Field(default_factory=list, description="Tag names; new names create tags")


class CustomerIn(CustomerFields):
    owner_id: DbId | None = Field(None, description="Owner (default: you); managers may pick people in their team")
    pool_id: DbId | None = Field(None, description="Put the customer into this public pool instead (pool admins)")
    confirm_duplicates: bool = Field(False, description="Create even though possible duplicates were reported (409)")


class CustomerPatch(Schema):
    """Only the fields sent are changed; the rest keep their values."""

    name: str | None = None
    short_name: str | None = None
    credit_code: str | None = None
    industry: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str | None = None
    website: str | None = None
    employees_band: str | None = None
    revenue_band: str | None = None
    source: str | None = None
    tier: str | None = None
    status: str | None = None
    notes: str | None = None
    next_followup_at: datetime | None = Field(
        None, description="ISO 8601; without an offset it is read as Beijing time"
    )
    tags: list[str] | None = None


class CustomerFilterQuery(Schema):
    """Every field of queries.CustomerFilters, as query parameters."""

    q: str = Field("", description="Name, short name, pinyin, initials, credit code or phone")
    owner: DbId | None = None
    team: DbId | None = Field(None, description="Owners in this team or below")
    tier: str = ""
    status: str = ""
    industry: str = Field("", description="Industry code; a section letter includes its divisions")
    province: str = ""
    city: str = ""
    tag: DbId | None = None
    stale_days: int | None = Field(None, ge=0, le=3650, description="No follow-up for at least this many days")
    pool: DbId | None = None
    sort: str = Field("updated", json_schema_extra={"enum": ["updated", "name", "-name", "created", "followup",
                                                              "-followup", "tier"]})  # fmt: skip

    def to_filters(self) -> CustomerFilters:
        return CustomerFilters(**{f.name: getattr(self, f.name) for f in dataclass_fields(CustomerFilters)})


class DuplicateCheckIn(Schema):
    name: str = ""
    credit_code: str = ""
    phones: list[str] = Field(default_factory=list)


class DuplicateOut(Schema):
    customer_id: int | None = Field(description="Null when you may not open the match")
    kind: str
    score: int
    visible: bool
    name: str = Field(description="Empty when you may not open the match")
    holder: str = Field(description="Who holds the match: an owner's name or the public pool")

    @staticmethod
    def resolve_customer_id(match: Any) -> int | None:
        # Ids of records the user may not open are not handed out (they would confirm existence).
        return int(match.customer_id) if match.visible else None


class DuplicatesProblem(Schema):
    detail: str
    duplicates: list[DuplicateOut]


class StaleProblem(Schema):
    detail: str
    current_version: int


class AuditRowOut(Schema):
    id: int
    at: LocalDateTime
    actor: UserRef | None
    action: str
    field: str
    old: str
    new: str


class OwnershipChangeOut(Schema):
    id: int
    at: LocalDateTime
    kind: str
    from_user: UserRef | None
    to_user: UserRef | None
    pool: IdName | None
    actor: UserRef | None
    reason: str


class CollaboratorOut(Schema):
    user: UserRef
    access: str
    added_at: LocalDateTime


class CollaboratorIn(Schema):
    access: Literal["read", "write"]


class TransferIn(Schema):
    user_id: DbId
    reason: str = Field("", max_length=200)


class AssignIn(Schema):
    user_id: DbId


class ReturnIn(Schema):
    reason: str = Field(max_length=200)
    pool_id: DbId | None = None


class MergeIn(Schema):
    survivor_id: DbId
    duplicate_id: DbId


# --- contacts -----------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    version: int
    customer: IdName
    name: str
    title: str
    department: str
    mobile: str
    phone: str
    email: str
    wechat: str
    reports_to_id: int | None
    buying_role: str
    influence: str
    attitude: str
    strength: int
    relationship_owner: UserRef | None
    is_key_person: bool
    birthday: date | None
    notes: str
    last_contacted_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime


class ContactIn(Schema):
    """The editable fields of a contact (forms.CONTACT_FIELDS)."""

    name: str
    title: str = ""
    department: str = ""
    mobile: str = Field("", description="Mobile, normalised to 11 digits")
    phone: str = ""
    email: str = ""
    wechat: str = ""
    reports_to_id: DbId | None = Field(None, description="Another contact of the same customer")
    buying_role: str = Field(str(BuyingRole.OTHER), json_schema_extra=_codes(BuyingRole))
    influence: str = Field(str(Influence.MEDIUM), json_schema_extra=_codes(Influence))
    attitude: str = Field(str(Attitude.NEUTRAL), json_schema_extra=_codes(Attitude))
    strength: int = Field(3, description="1 (weak) to 5 (strong)")
    relationship_owner_id: DbId | None = None
    is_key_person: bool = False
    birthday: date | None = None
    notes: str = ""


class ContactPatch(Schema):
    name: str | None = None
    title: str | None = None
    department: str | None = None
    mobile: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    reports_to_id: DbId | None = None
    buying_role: str | None = None
    influence: str | None = None
    attitude: str | None = None
    strength: int | None = None
    relationship_owner_id: DbId | None = None
    is_key_person: bool | None = None
    birthday: date | None = None
    notes: str | None = None


class ContactBrief(Schema):
    id: int
    name: str
    title: str
    customer: IdName


class CustomerBrief(Schema):
    id: int
    name: str
    short_name: str
    tier: str
    status: str
    owner: UserRef | None


class SearchOut(Schema):
    customers: list[CustomerBrief]
    contacts: list[ContactBrief]


# --- pools --------------------------------------------------------------------------------------


class PoolOut(Schema):
    id: int
    name: str
    claim_daily_cap: int
    reclaim_cooldown_days: int
    warn_days_before: int


# --- API values → the shared forms ---------------------------------------------------------------

# Form/model field name → API field name, for the `loc` of 422 answers.
FIELD_ALIASES = {
    "tag_names": "tags",
    "owner": "owner_id",
    "pool": "pool_id",
    "user": "user_id",
    "reports_to": "reports_to_id",
    "relationship_owner": "relationship_owner_id",
}
_API_NAMES = {"tag_names": "tags", "reports_to": "reports_to_id", "relationship_owner": "relationship_owner_id"}


def _api_name(form_name: str) -> str:
    return _API_NAMES.get(form_name, form_name)


def _form_data(names: list[str], values: Mapping[str, Any]) -> dict[str, Any]:
    data = {}
    for name in names:
        value = values.get(_api_name(name))
        data[name] = "" if value is None else value
    return data


def _stored(instance: Model | None, names: list[str]) -> dict[str, Any]:
    if instance is None:
        return {}
    return {_api_name(name): value for name, value in model_to_dict(instance, names).items()}


def customer_form(values: Mapping[str, Any], instance: Customer | None = None) -> CustomerForm:
    """CustomerForm bound to API values; for an update the stored values fill in what was not sent."""
    merged = {**_stored(instance, CUSTOMER_FIELDS), **values}
    data = _form_data(CUSTOMER_FIELDS, merged)
    data["tag_names"] = ",".join(merged.get("tags") or [])
    return CustomerForm(data=data, instance=instance)


def contact_form(values: Mapping[str, Any], customer: Customer, instance: Contact | None = None) -> ContactForm:
    """ContactForm bound to API values, the same way as customer_form."""
    merged = {**_stored(instance, CONTACT_FIELDS), **values}
    return ContactForm(data=_form_data(CONTACT_FIELDS, merged), instance=instance, customer=customer)


def cleaned_data(form: BaseForm) -> dict[str, Any]:
    """The cleaned values, or the form's errors raised as a ValidationError (answered as 422)."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def sent_fields(cleaned: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of the fields a PATCH sent (a city brings the province the form derived)."""
    fields = {name: value for name, value in cleaned.items() if name in (*CUSTOMER_FIELDS, *CONTACT_FIELDS)}
    chosen = {name: value for name, value in fields.items() if _api_name(name) in sent}
    if "city" in chosen and "province" in cleaned:
        chosen["province"] = cleaned["province"]
    return chosen
