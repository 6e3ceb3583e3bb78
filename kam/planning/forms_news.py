"""Forms of 市场动态: the news form (shared by the pages and the API) and the list filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Team, User
from kam.customers.models import Industry, Region, RegionLevel
from kam.customers.views.forms import FastSelect, TeamChoiceField
from kam.planning.models import MarketNews
from kam.planning.queries_news import NewsFilters, shareable_teams


class _GroupedIterator(ModelChoiceIterator):  # type: ignore[type-arg]
    """Options grouped under <optgroup>s: one query, grouped in Python (a hundred or so rows)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.groups(list(self.queryset))  # type: ignore[attr-defined]


class IndustryPicker(forms.ModelChoiceField[Industry]):
    """GB/T 4754 industries: each 门类 is a group whose first option is the whole section, then its
    大类. Choosing a section matches its divisions too in the list filters."""

    iterator = _GroupedIterator

    def groups(self, industries: list[Industry]) -> list[tuple[str, list[tuple[str, str]]]]:
        grouped: dict[str, list[tuple[str, str]]] = {}
        labels: dict[str, str] = {}
        for industry in industries:
            if industry.section_id is None:
                labels[industry.code] = f"{industry.code} {industry.name}"
                whole = _("%(name)s (with its divisions)") % {"name": industry.name}
                grouped.setdefault(industry.code, []).insert(0, (industry.code, f"{industry.code} {whole}"))
            else:
                grouped.setdefault(industry.section_id, []).append((industry.code, f"{industry.code} {industry.name}"))
        return [(labels.get(code, code), options) for code, options in grouped.items()]


class RegionPicker(forms.ModelChoiceField[Region]):
    """GB/T 2260 regions: each province is a group whose first option is the whole province, then
    its prefecture-level cities."""

    iterator = _GroupedIterator

    def groups(self, regions: list[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
        grouped: dict[str, list[tuple[str, str]]] = {}
        labels: dict[str, str] = {}
        for region in regions:
            if region.level == RegionLevel.PROVINCE:
                labels[region.code] = region.name
                whole = _("%(name)s (with its cities)") % {"name": region.name}
                grouped.setdefault(region.code, []).insert(0, (region.code, whole))
            elif region.parent_id is not None:
                grouped.setdefault(region.parent_id, []).append((region.code, region.name))
        return [(labels.get(code, code), options) for code, options in grouped.items()]


def _industries() -> Any:
    return Industry.objects.only("code", "name", "section_id").order_by("code")


def _regions() -> Any:
    return Region.objects.only("code", "name", "level", "parent_id").order_by("code")


class NewsForm(forms.Form):
    """Title, text, source, GB/T 4754 industry, region and who it is shared with."""

    title = forms.CharField(label=pgettext_lazy("market news", "Title"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("market news", "Content"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    source = forms.CharField(
        label=pgettext_lazy("market news", "Source"),
        required=False,
        max_length=200,
        help_text=_("Where it was heard or read, e.g. a website."),
    )
    industry = IndustryPicker(label=_("Industry"), queryset=Industry.objects.none(), required=False, widget=FastSelect)
    region = RegionPicker(
        label=pgettext_lazy("market news", "Region"), queryset=Region.objects.none(), required=False, widget=FastSelect
    )
    team = TeamChoiceField(
        label=pgettext_lazy("market news", "Shared with"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The whole organization"),
        widget=FastSelect,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = _industries()  # type: ignore[attr-defined]
        self.fields["region"].queryset = _regions()  # type: ignore[attr-defined]
        self.fields["team"].queryset = shareable_teams(actor)  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the news a title."))
        return title


def initial_of_news(news: MarketNews) -> dict[str, Any]:
    return {
        "title": news.title,
        "body": news.body,
        "source": news.source,
        "industry": news.industry_id,
        "region": news.region_id,
        "team": news.team_id,
    }


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NewsFilterForm(forms.Form):
    """The list filters. Invalid values are dropped (and shown), never fatal."""

    industry = IndustryPicker(label=_("Industry"), queryset=Industry.objects.none(), required=False, widget=FastSelect)
    region = forms.ModelChoiceField(
        label=_("Province"), queryset=Region.objects.none(), required=False, widget=FastSelect
    )
    team = TeamChoiceField(
        label=pgettext_lazy("market news", "Shared with"),
        queryset=Team.objects.none(),
        required=False,
        widget=FastSelect,
    )
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = _industries()  # type: ignore[attr-defined]
        self.fields["region"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")  # type: ignore[attr-defined]
        # The teams whose channel the user reads: their own and those above, a manager's subtree.
        self.fields["team"].queryset = shareable_teams(actor)  # type: ignore[attr-defined]
        self.fields["team"].empty_label = _("Any team")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not 2000 <= day.year <= 2099:
                self.add_error(name, _("Choose a day between 2000 and 2099."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period must end on or after its first day."))
        return data

    def filters(self) -> NewsFilters:
        self.is_valid()  # the valid fields stay in cleaned_data; a bad one is dropped
        data = self.cleaned_data
        industry, region, team = data.get("industry"), data.get("region"), data.get("team")
        return NewsFilters(
            industry=industry.pk if industry else "",
            region=region.pk if region else "",
            team=team.pk if team else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
