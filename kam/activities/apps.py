from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "kam.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Task reminders and the overdue-request sweep run from `kam tick`.
        # Merging duplicate customers moves their follow-ups, visits, tasks and requests.
        from kam.activities import merge, tick_jobs  # noqa: F401
