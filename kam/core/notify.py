"""Sending notifications: the in-app bell now; e-mail and team group robots (WeCom/DingTalk) after commit.

Every module notifies through `notify()` (one person) or `notify_team()` (a team's group chat). Both
write their rows in the caller's transaction and send nothing before it commits: a rolled-back action
leaves no notification, sends no e-mail and posts nothing. A failing mail server or robot never breaks
the caller; e-mail failures are logged, robot messages are retried by `kam tick` (kam.core.webhooks).

Links leave KAM as absolute URLs only when `settings.KAM_BASE_URL` (e.g. "https://kam.example.com") is
set; without it mails and robot messages carry no link, since a bare path means nothing outside KAM.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.core import webhooks
from kam.core.models import Notification, Team, User, WebhookMessage

logger = logging.getLogger(__name__)

# A slow mail server must not hold the request (the mail goes out after commit, in the same thread).
EMAIL_TIMEOUT_SECONDS = 10


def absolute_url(path: str) -> str:
    """`path` as a link usable outside KAM, or "" when there is no KAM_BASE_URL to anchor it."""
    if not path:
        return ""
    if path.startswith(("https://", "http://")):
        return path
    base = str(getattr(settings, "KAM_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base and path.startswith("/") else ""


def one_line(text: str) -> str:
    """Mail subjects and robot titles are one line (a newline in a subject is a header injection)."""
    return " ".join(text.split())


def send_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail through Django's e-mail backend; raises on failure."""
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS)
    EmailMessage(subject=one_line(subject), body=body, to=[to], connection=connection).send(fail_silently=False)


def notify(user: User, kind: str, title: str, body: str = "", url: str = "", *, email: bool = True) -> Notification:
    """Put a notification in `user`'s bell; call inside the action's transaction.

    When the user is active and has an e-mail address (and `email` is not turned off for a chatty
    kind), the notification is also mailed once the transaction has committed.
    """
    notification = Notification.objects.create(
        organization_id=user.organization_id, user=user, kind=kind, title=title[:200], body=body, url=url[:300]
    )
    if email and user.is_active and user.email:
        notification_id = notification.pk
        transaction.on_commit(lambda: email_notification(notification_id))
    return notification


def _notification_mail(notification: Notification) -> tuple[str, str]:
    subject = _("[KAM] %(title)s") % {"title": notification.title}
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    link = absolute_url(notification.url)
    if link:
        parts.append(_("Open in KAM: %(url)s") % {"url": link})
    parts.append(_("You get this mail because KAM has your e-mail address."))
    return subject, "\n\n".join(parts) + "\n"


def email_notification(notification_id: int) -> bool:
    """Mail one notification to its user (after commit) and stamp `emailed_at`; False when not sent.

    Never raises: a failing mail server is logged and the notification stays in the bell (and the digest).
    """
    try:
        notification = (
            Notification.objects.select_related("user").filter(pk=notification_id, emailed_at__isnull=True).first()
        )
        if notification is None or not notification.user.email:
            return False
        # The recipient's language is not stored; mails speak the deployment's language.
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _notification_mail(notification)
        send_email(notification.user.email, subject, body)
        Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
        return True
    except Exception:
        logger.exception("notification %s: the e-mail could not be sent", notification_id)
        return False


def notify_team(team: Team, title: str, text: str, url: str = "") -> WebhookMessage | None:
    """Post a markdown message to the team's group robot after commit; None when the team has no robot.

    The outbox row is written in the caller's transaction; a failed post is retried by `kam tick`.
    """
    if not team.webhook_kind or not team.webhook_url:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        payload = webhooks.build_payload(
            team.webhook_kind, one_line(title), text, absolute_url(url), link_label=_("Open in KAM")
        )
    message = WebhookMessage.objects.create(organization_id=team.organization_id, team=team, payload=payload)
    message_id = message.pk
    transaction.on_commit(lambda: webhooks.deliver_quietly(message_id))
    return message
