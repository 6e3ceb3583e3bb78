"""Import jobs (导入任务): an uploaded customer file, its dry-run findings and the user's decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Organization


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers and contacts")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RowDecision(models.TextChoices):
    CREATE = "create", _("Create a new customer")
    MERGE = "merge", _("Merge into the existing customer")
    SKIP = "skip", _("Skip")


class ImportJob(models.Model):
    """One upload. The JSON columns are keyed by the spreadsheet row number (the header is row 1)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices, default=ImportKind.CUSTOMERS)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    merged_count = models.PositiveIntegerField(_("merged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    contacts_count = models.PositiveIntegerField(_("contacts added"), default=0)
    # {"<row>": {"<field>": ["message", …]}}; the field "__all__" holds row-level messages.
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    # {"<row>": [{"customer_id", "kind", "score", "name", "holder", "visible", "row"}, …]}
    duplicates = models.JSONField(_("duplicates"), default=dict, blank=True)
    # [{"header": "客户名称", "field": "name"}, …] in column order; field "" means ignored.
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    # {"<row>": "create" | "merge" | "skip"} for the first row of each customer in the file.
    decisions = models.JSONField(_("row decisions"), default=dict, blank=True)
    # {"<row>": {"customer": name, "contact": name, "group": first row of its customer}} for the
    # rows the result table shows (those with errors or duplicates).
    row_info = models.JSONField(_("rows"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            # The import page lists the user's own recent jobs, newest first.
            models.Index(fields=["created_by", "-created_at"], name="importjob_user_created_idx"),
            # Housekeeping: old finished jobs of an organization (file clean-up).
            models.Index(fields=["organization", "status", "created_at"], name="importjob_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name
