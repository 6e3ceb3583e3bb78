"""Forms of 市场动态: the news form (shared by the pages and the API) and the list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.models import Team, User
from kam.customers.models import Industry, Region, RegionLevel
from kam.customers.views.forms import FastSelect, IndustryChoiceField, TeamChoiceField
from kam.planning.models import MarketNews
from kam.planning.queries_news import NewsFilters, shareable_teams


class RegionChoiceField(forms.ModelChoiceField[Region]):
    """Provinces with their cities indented below them (GB/T 2260 codes sort that way)."""

    def label_from_instance(self, obj: Region) -> str:
        return obj.name if obj.level == RegionLevel.PROVINCE else f"\u3000{obj.name}"


def _industries() -> Any:
    return Industry.objects.only("code", "name", "section_id").order_by("code")


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
    industry = IndustryChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False, widget=FastSelect
    )
    region = RegionChoiceField(
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
        self.fields["region"].queryset = Region.objects.only("code", "name", "level").order_by("code")  # type: ignore[attr-defined]
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


class NewsFilterForm(forms.Form):
    """The list filters. Invalid values are dropped (and shown), never fatal."""

    industry = IndustryChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False, widget=FastSelect
    )
    region = forms.ModelChoiceField(
        label=_("Province"), queryset=Region.objects.none(), required=False, widget=FastSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = _industries()  # type: ignore[attr-defined]
        self.fields["region"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")  # type: ignore[attr-defined]

    def filters(self) -> NewsFilters:
        self.is_valid()  # the valid fields stay in cleaned_data; a bad one is dropped
        data = self.cleaned_data
        industry = data.get("industry")
        region = data.get("region")
        return NewsFilters(industry=industry.pk if industry else "", region=region.pk if region else "")
