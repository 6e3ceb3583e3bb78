"""市场动态 pages: the list (filter by industry, province, team, dates), share a news item, read, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.customers.views.helpers import actor_of, apply_errors, render_page_or_partial
from kam.planning.actions_news import create_news, delete_news, update_news
from kam.planning.forms_news import NewsFilterForm, NewsForm, initial_of_news
from kam.planning.queries_news import get_news_for_user, may_delete_news, may_edit_news, news_list

PAGE_SIZE = 20


@login_required
@require_GET
def news_list_page(request: HttpRequest) -> HttpResponse:
    """The news the user may read, newest first, 20 a page, filtered by industry, province, team and
    dates; htmx filter changes get only the list."""
    user = actor_of(request)
    form = NewsFilterForm(request.GET, actor=user)
    page = Paginator(news_list(user, form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "news_items": list(page.object_list)}
    return render_page_or_partial(request, "planning/news_list.html", "planning/_news_table.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def news_create(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    status = 200
    if request.method == "POST":
        form = NewsForm(request.POST, actor=user)
        if form.is_valid():
            try:
                news = create_news(user, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Market news shared."))
                return redirect("news-detail", pk=news.pk)
        status = 422
    else:
        form = NewsForm(actor=user)
    return render(request, "planning/news_form.html", {"form": form, "news": None}, status=status)


@login_required
@require_GET
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    news = get_news_for_user(user, pk)
    context = {"news": news, "can_edit": may_edit_news(user, news), "can_delete": may_delete_news(user, news)}
    return render(request, "planning/news_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit (author or admin)."""
    user = actor_of(request)
    news = get_news_for_user(user, pk, need="edit")
    status = 200
    if request.method == "POST":
        form = NewsForm(request.POST, actor=user)
        if form.is_valid():
            try:
                update_news(user, news, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("news-detail", pk=news.pk)
        status = 422
    else:
        form = NewsForm(initial=initial_of_news(news), actor=user)
    return render(request, "planning/news_form.html", {"form": form, "news": news}, status=status)


@login_required
@require_POST
def news_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete (author, admin, or a manager above the news' team or author)."""
    user = actor_of(request)
    news = get_news_for_user(user, pk, need="delete")
    delete_news(user, news)
    messages.success(request, _("%(title)s deleted.") % {"title": news.title})
    return redirect("news-list")
