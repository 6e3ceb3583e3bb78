"""Organizations, the team tree and users: who someone is and where they sit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet


class DedupMode(models.TextChoices):
    BLOCK = "block", _("Block creating a duplicate")
    WARN = "warn", _("Warn only")


class Organization(models.Model):
    """A tenant. Every owned row carries one; nothing crosses between them."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    dedup_mode = models.CharField(
        _("duplicate handling"), max_length=8, choices=DedupMode.choices, default=DedupMode.WARN
    )
    # Defaults for users whose own limit is empty (拥有客户数上限 / 锁定客户数上限).
    default_holding_limit = models.PositiveIntegerField(_("default holding limit"), default=200)
    default_lock_limit = models.PositiveIntegerField(_("default lock limit"), default=20)
    # A visit check-in farther than this from the customer's stored point is flagged out of range.
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    COMPANY = "company", _("Company")
    REGION = "region", _("Region")
    TEAM = "team", _("Team")


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class Team(models.Model):
    """A node of the 公司 → 大区 → 团队 tree.

    `path` is the materialised chain of ids ("/1/4/9/"), so "every team under X" is one
    indexed prefix match instead of a recursive query.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=TeamKind.choices, default=TeamKind.TEAM)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, editable=False, default="")
    # Optional group-robot webhook (企业微信/钉钉) that receives the team's notifications.
    webhook_kind = models.CharField(_("group robot"), max_length=10, choices=WebhookKind.choices, blank=True)
    webhook_url = models.URLField(_("webhook address"), max_length=500, blank=True)
    # DingTalk 加签 secret; empty when the robot uses keywords or IP allow-lists instead.
    webhook_secret = models.CharField(_("signing secret"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            # Sibling names must differ so a team is unambiguous in pickers and imports.
            models.UniqueConstraint(fields=["organization", "parent", "name"], name="team_unique_name_in_parent"),
        ]
        indexes = [
            # Subtree lookups: Team.objects.filter(path__startswith=manager_team.path).
            models.Index(fields=["organization", "path"], name="team_org_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def subtree(self) -> QuerySet[Team]:
        return Team.objects.filter(organization_id=self.organization_id, path__startswith=self.path)


class Role(models.TextChoices):
    REP = "rep", _("Sales representative")
    MANAGER = "manager", _("Sales manager")
    DIRECTOR = "director", _("Sales director")
    ADMIN = "admin", _("Administrator")
    PRESALES = "presales", _("Presales")
    SERVICE = "service", _("Service")
    FINANCE = "finance", _("Finance")
    LEGAL = "legal", _("Legal")
    DELIVERY = "delivery", _("Delivery")


# Roles that see everything owned below their team in the tree.
SUPERVISING_ROLES = frozenset({Role.MANAGER, Role.DIRECTOR})


class KamUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person of one organization with one role and one team."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="users")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True, verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.REP)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # 拥有客户数上限 / 锁定客户数上限; null means the organization default applies.
    holding_limit = models.PositiveIntegerField(_("holding limit"), null=True, blank=True)
    lock_limit = models.PositiveIntegerField(_("lock limit"), null=True, blank=True)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The Shanghai date of the last daily digest e-mail, so `kam tick` sends one per day.
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects: ClassVar[KamUserManager] = KamUserManager()  # type: ignore[assignment]

    REQUIRED_FIELDS: ClassVar[list[str]] = ["organization"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # Team scopes: users whose team lies in a manager's subtree.
            models.Index(fields=["organization", "team"], name="user_org_team_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def effective_holding_limit(self) -> int:
        if self.holding_limit is not None:
            return self.holding_limit
        return self.organization.default_holding_limit

    @property
    def effective_lock_limit(self) -> int:
        if self.lock_limit is not None:
            return self.lock_limit
        return self.organization.default_lock_limit

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISING_ROLES and self.team_id is not None
