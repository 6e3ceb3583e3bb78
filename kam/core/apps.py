from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kam.core import digest, webhooks
        from kam.core.tick import register_tick_job

        register_tick_job("core.webhook_retry", webhooks.retry_webhooks)
        register_tick_job("core.digest", digest.send_digests)
        digest.register_digest_source("core.notifications", digest.unread_notifications_section, order=0)
