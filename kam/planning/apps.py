from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kam.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The built-in plan sources, briefing sections and report counters of issue 3; later apps
        # register theirs in their own ready().
        from kam.planning import account_plan_hooks, briefing_sections, plan_sources, report_sources  # noqa: F401
