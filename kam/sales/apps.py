from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "kam.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Deals plug into the rep's day (plan sources, briefing sections, report counters, the
        # customer timeline and panels) and move with merged customers.
        from kam.sales import hooks  # noqa: F401
