"""Assembles the django-ninja routers of every app under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(title="KAM API", version="1", urls_namespace="api")
