"""The daily digest: one e-mail per active user with an address, once per Shanghai day.

`send_digests` is a `kam tick` job: at the first tick at or after `settings.KAM_DIGEST_HOUR` (Shanghai
time) each user's digest is built from the registered digest sources over the last 24 hours and mailed;
a user with nothing to report gets no mail. `User.digest_sent_on` is claimed before sending, so a day's
digest goes out once even with several schedulers; a failed send is logged and not retried that day.

Later modules add their own lines (tasks due, requests waiting, …) with `register_digest_source`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.core.models import Notification, User
from kam.core.notify import absolute_url, send_email

logger = logging.getLogger(__name__)

DIGEST_WINDOW = timedelta(days=1)
# Lines per section; the rest is summed up in one "and N more" line.
MAX_LINES = 20


@dataclass(frozen=True)
class DigestSection:
    """One block of the digest: a heading and its lines (plain text, one item each)."""

    heading: str
    lines: list[str]


# (user, since, until) -> the user's section, or None when the source has nothing for them.
DigestSource = Callable[[User, datetime, datetime], DigestSection | None]

_sources: dict[str, tuple[int, DigestSource]] = {}


def register_digest_source(key: str, source: DigestSource, *, order: int = 100) -> None:
    """Add a section to every digest; sections appear by `order`, then key. Call from AppConfig.ready()."""
    _sources[key] = (order, source)


def digest_sources() -> list[tuple[str, DigestSource]]:
    return [(key, source) for key, (_order, source) in sorted(_sources.items(), key=lambda item: (item[1][0], item[0]))]


def _more_line(total: int, shown: int) -> list[str]:
    if total <= shown:
        return []
    rest = total - shown
    return [ngettext("…and %(count)d more", "…and %(count)d more", rest) % {"count": rest}]


def unread_notifications_section(user: User, since: datetime, until: datetime) -> DigestSection | None:
    """The user's notifications of the window that are still unread, oldest first."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True, created_at__gte=since, created_at__lt=until)
    rows = list(unread.order_by("created_at", "pk")[: MAX_LINES + 1])
    if not rows:
        return None
    total = len(rows) if len(rows) <= MAX_LINES else unread.count()
    lines = []
    for notification in rows[:MAX_LINES]:
        line = f"{timezone.localtime(notification.created_at):%m-%d %H:%M} {notification.title}"
        link = absolute_url(notification.url)
        lines.append(f"{line} {link}" if link else line)
    heading = ngettext("%(count)d unread notification", "%(count)d unread notifications", total) % {"count": total}
    return DigestSection(heading=heading, lines=lines + _more_line(total, MAX_LINES))


def build_digest(user: User, now: datetime) -> tuple[str, str] | None:
    """The digest mail (subject, body) for `user` at `now`, or None when no source has anything."""
    since = now - DIGEST_WINDOW
    sections = []
    for _key, source in digest_sources():
        section = source(user, since, now)
        if section is not None and section.lines:
            sections.append(section)
    if not sections:
        return None
    day = timezone.localtime(now).date()
    subject = _("KAM daily digest, %(date)s") % {"date": day.isoformat()}
    parts = [_("Hello %(name)s, this is what waits for you in KAM.") % {"name": user.name}]
    parts.extend(section.heading + "\n" + "\n".join(f"- {line}" for line in section.lines) for section in sections)
    link = absolute_url(reverse("notifications"))
    if link:
        parts.append(_("Open your notifications: %(url)s") % {"url": link})
    return subject, "\n\n".join(parts) + "\n"


def _digest_due(today: date) -> Q:
    return Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today)


def send_digests(now: datetime) -> int:
    """Tick job: mail today's digest to every user who has not had it yet; returns how many were mailed."""
    local = timezone.localtime(now)
    if local.hour < settings.KAM_DIGEST_HOUR:
        return 0
    today = local.date()
    users = list(User.objects.filter(_digest_due(today), is_active=True).exclude(email="").order_by("pk"))
    sent = 0
    for user in users:
        # Claim the day first: two schedulers racing send one digest, and an empty digest is done too.
        if not User.objects.filter(_digest_due(today), pk=user.pk).update(digest_sent_on=today):
            continue
        try:
            with translation.override(settings.LANGUAGE_CODE):
                digest = build_digest(user, now)
            if digest is not None:
                send_email(user.email, *digest)
                sent += 1
        except Exception:
            logger.exception("user %s: the daily digest could not be sent", user.pk)
    return sent
