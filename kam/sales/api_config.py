"""API of this concept (django-ninja router, mounted by kam/api.py)."""

from ninja import Router

router = Router()
