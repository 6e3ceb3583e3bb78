"""Forms of the import pages: the upload and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kam.customers.imports.columns import IGNORE, mapping_choices
from kam.customers.models.imports import ImportJob


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), at most 50,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = "{} {}".format(
            self.fields["file"].help_text,
            _("Largest file: %(size)s.") % {"size": filesizeformat(settings.KAM_UPLOAD_MAX_BYTES)},
        )


class MappingForm(forms.Form):
    """One select per column whose header the import did not recognise (the API: per column it names)."""

    def __init__(self, *args: Any, job: ImportJob, every_column: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("Choose…")), *[(key or "ignore", label) for key, label in mapping_choices()]]
        for index, column in enumerate(job.mapping):
            unknown = column.get("field") is None
            if unknown or every_column:
                self.fields[f"column_{index}"] = forms.ChoiceField(
                    label=column["header"], choices=choices, required=unknown
                )

    def mapping(self) -> list[str]:
        """Every column's target: as chosen, else unchanged (recognised columns need no answer)."""
        result = []
        for index, column in enumerate(self.job.mapping):
            chosen = self.cleaned_data.get(f"column_{index}")
            if not chosen:
                result.append(str(column.get("field") or IGNORE))
            else:
                result.append(IGNORE if chosen == "ignore" else chosen)
        return result
