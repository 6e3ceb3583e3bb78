from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "kam.market"
    label = "market"
    default_auto_field = "django.db.models.BigAutoField"
