"""The web shell: login, home, settings and tokens, notifications, search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from kam.activities.feeds import feed_of
from kam.activities.views_calendar import feed_url
from kam.core.actions import create_api_token, revoke_api_token
from kam.core.models import User
from kam.core.notifications import mark_all_read, read_notification
from kam.core.queries import tokens_of
from kam.core.queries_notifications import notification_page, page_number
from kam.customers.queries import search as search_records
from kam.web.forms import LoginForm, TokenCreateForm
from kam.web.summary import home_summary


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran before
    return user


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):  # type: ignore[type-arg]
    template_name = "web/password_change.html"
    success_url = reverse_lazy("settings")
    success_message = gettext_lazy("Your password was changed.")


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": home_summary(_user(request))})


def _settings_context(user: User, form: TokenCreateForm | None = None) -> dict[str, Any]:
    return {"tokens": tokens_of(user), "token_form": form or TokenCreateForm()}


@require_safe
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = _settings_context(user)
    feed = feed_of(user)
    # The secret address of the personal .ics feed (kam/activities/feeds.py); "" before one is created.
    context["calendar_feed"] = {"url": feed_url(request, feed.token) if feed is not None else ""}
    return render(request, "web/settings.html", context)


@never_cache
@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """The plain token is in this response only; it is never stored, so it cannot be shown again."""
    user = _user(request)
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return render(request, "web/settings.html", _settings_context(user, form), status=422)
    token, plain = create_api_token(user, form.cleaned_data["name"])
    return render(request, "web/token_created.html", {"token": token, "plain": plain})


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not revoke_api_token(_user(request), pk):
        raise Http404
    messages.success(request, _("The API token was revoked."))
    return redirect("settings")


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The notification centre: all or only unread (`?unread=1`), newest first, paged."""
    unread_only = request.GET.get("unread") == "1"
    page = notification_page(_user(request), unread_only=unread_only, number=page_number(request.GET.get("page")))
    context = {"notifications": page.items, "page": page, "unread_only": unread_only}
    return render(request, "web/notifications.html", context)


def _local_path(request: HttpRequest, target: str) -> bool:
    # Only paths: redirect() would try to reverse anything else as a URL name.
    return (
        bool(target)
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the notification points (a local URL only), else to `next` or the list."""
    notification = read_notification(_user(request), pk)
    for target in (notification.url, request.POST.get("next", "")):
        if _local_path(request, target):
            return redirect(target)
    return redirect("notifications")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(_user(request))
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return redirect("notifications")


@require_safe
@login_required
def search(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    customers, contacts = search_records(_user(request), q)
    context = {"q": q, "customers": customers, "contacts": contacts}
    template = "web/_search_results.html" if request.htmx else "web/search.html"
    return render(request, template, context)
