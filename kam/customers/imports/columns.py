"""The columns of a customer file: what each header means, for the import, the template and the export.

Headers are part of the file format, not of the page, so the template and the export always
write the Chinese headers below (a file then moves between users of either language); the
import recognises them, their common variants and English names, whatever the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.customers.models import Contact


@dataclass(frozen=True)
class Target:
    """A field a column can fill. `key` is the form field (customer) or "contact_" + form field."""

    key: str
    header: str  # the Chinese header written by the template and the export
    label: str | Promise
    aliases: tuple[str, ...]

    @property
    def is_contact(self) -> bool:
        return self.key.startswith("contact_")

    @property
    def form_field(self) -> str:
        return self.key.removeprefix("contact_")


TARGETS: tuple[Target, ...] = (
    Target("name", "客户名称", _("customer name"),
           ("公司名称", "企业名称", "客户全称", "单位名称", "客户", "name", "customer", "customername", "company",
            "companyname")),
    Target("short_name", "简称", _("short name"), ("客户简称", "公司简称", "shortname")),
    Target("credit_code", "统一社会信用代码", _("unified social credit code"),
           ("信用代码", "社会信用代码", "税号", "纳税人识别号", "creditcode", "uscc", "taxid")),
    Target("industry", "所属行业", _("industry"), ("行业", "行业分类", "industry")),
    Target("province", "省份", _("province"), ("省", "所在省份", "省份名称", "province")),
    Target("city", "城市", _("city"), ("市", "所在城市", "城市名称", "city")),
    Target("address", "地址", _("address"), ("详细地址", "公司地址", "办公地址", "address")),
    Target("website", "网址", _("website"), ("官网", "网站", "公司网址", "website", "url", "web")),
    Target("phone", "电话", _("switchboard phone"), ("总机", "公司电话", "座机", "phone", "switchboard", "tel")),
    Target("tier", "客户等级", _("tier"), ("等级", "客户分级", "分级", "tier", "level", "grade")),
    Target("status", "客户状态", _("status"), ("状态", "status")),
    Target("source", "客户来源", _("source"), ("来源", "source")),
    Target("tag_names", "标签", _("tags"), ("客户标签", "tags", "tag")),
    Target("notes", "备注", _("notes"), ("说明", "notes", "note", "remarks", "comment")),
    Target("owner", "负责人", _("owner"), ("客户负责人", "销售负责人", "归属人", "owner", "salesrep")),
    Target("contact_name", "联系人", _("contact name"), ("联系人姓名", "姓名", "contact", "contactname")),
    Target("contact_mobile", "手机", _("contact mobile"),
           ("手机号", "手机号码", "联系人手机", "移动电话", "mobile", "mobilephone", "cellphone")),
    Target("contact_title", "职务", _("contact title"), ("职位", "title", "jobtitle", "position")),
    Target("contact_department", "部门", _("contact department"), ("所在部门", "department", "dept")),
    Target("contact_email", "邮箱", _("contact email"), ("电子邮箱", "邮件", "email", "e-mail", "mail")),
    Target("contact_wechat", "微信", _("contact WeChat ID"), ("微信号", "wechat", "weixin")),
    Target("contact_phone", "联系人电话", _("contact office phone"),
           ("办公电话", "联系人座机", "contactphone", "officephone")),
)  # fmt: skip
TARGET_BY_KEY = {t.key: t for t in TARGETS}
CUSTOMER_TARGETS = tuple(t for t in TARGETS if not t.is_contact)
CONTACT_TARGETS = tuple(t for t in TARGETS if t.is_contact)

# Columns the export adds for reading; the import knows them and ignores them without asking.
CONTACTS_SUMMARY_HEADER = "联系人汇总"
EXPORT_EXTRA_HEADERS = (CONTACTS_SUMMARY_HEADER, "城市等级", "最近跟进", "创建时间")

IGNORE = ""  # the mapping value of a column the user chose to ignore

_NOISE_RE = re.compile(r"[\s*＊:：_\-]|[(（\[【].*?[)）\]】]")


def normalise_header(header: str) -> str:
    """Compare headers without case, width, spaces, required-marks or notes: "客户名称（必填）*" → "客户名称"."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return _NOISE_RE.sub("", text)


_ALIASES: dict[str, str] = {}
for _target in TARGETS:
    for _alias in (_target.header, _target.key, *_target.aliases):
        _ALIASES.setdefault(normalise_header(_alias), _target.key)
_IGNORED = {normalise_header(h) for h in EXPORT_EXTRA_HEADERS}


def auto_mapping(headers: list[str]) -> list[str | None]:
    """Per column: the target key, IGNORE for empty or export-only headers, None when the user must choose.

    A target is taken by its first column; a later column naming the same target is asked about.
    """
    taken: set[str] = set()
    result: list[str | None] = []
    for header in headers:
        norm = normalise_header(header)
        key = _ALIASES.get(norm)
        if not norm or norm in _IGNORED:
            result.append(IGNORE)
        elif key is not None and key not in taken:
            taken.add(key)
            result.append(key)
        else:
            result.append(None)
    return result


def mapping_choices() -> list[tuple[str, str | Promise]]:
    """The options of the mapping step: every target, then "ignore this column"."""
    return [(t.key, t.label) for t in TARGETS] + [(IGNORE, _("Ignore this column"))]


def field_label(key: str) -> str:
    """How an error names the field of a column: the target's label, or the contact field's name."""
    if key == NON_FIELD_ERRORS:
        return ""
    if key in TARGET_BY_KEY:
        return str(TARGET_BY_KEY[key].label)
    if key.startswith("contact_"):
        try:
            return str(Contact._meta.get_field(key.removeprefix("contact_")).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            return key
    return key


def template_headers() -> list[str]:
    return [t.header for t in TARGETS]


def export_headers() -> list[str]:
    return [t.header for t in CUSTOMER_TARGETS] + list(EXPORT_EXTRA_HEADERS)
