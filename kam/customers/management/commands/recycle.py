"""`kam recycle`: the nightly public-pool job (run it from cron, systemd timers or the task queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kam.customers.actions import apply_pool_rules


class Command(BaseCommand):
    help = "Return customers to the public pool by the pool rules and warn owners ahead of time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, default=None, help="only this organization id")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = apply_pool_rules(organization_id=options["organization"])
        self.stdout.write(f"returned to pool: {len(summary.returned)}, owners warned: {len(summary.warned)}")
