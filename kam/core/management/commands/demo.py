"""`kam demo`: create the demo organisation, or the large benchmark dataset with `--scale large`."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.core.models import Organization


class Command(BaseCommand):
    help = "Create the demo organisation 演示科技有限公司 (password of every login: demo), or the large dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds an organisation."
        )
        parser.add_argument("--scale", choices=["demo", "large"], default="demo")
        parser.add_argument("--seed", type=int, default=2024, help="Same seed, same data.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (large scale).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organization.objects.exists():
            if options["verbosity"] >= 2:
                self.stdout.write("An organisation exists already; nothing to do.")
            return
        if options["scale"] == "large":
            self._large(options["seed"], not options["no_progress"])
        else:
            self._demo(options["seed"])
        # Fresh statistics, or SQLite plans every scoped list as a walk over the organization.
        call_command("optimize_db", stdout=self.stdout, stderr=self.stderr, verbosity=options["verbosity"])

    def _demo(self, seed: int) -> None:
        from kam.customers.demo.demo_org import DEMO_CODE, build_demo

        if Organization.objects.filter(code=DEMO_CODE).exists():
            raise CommandError("The demo organisation exists already (use a fresh database, or --if-empty).")
        summary = build_demo(seed=seed)
        self.stdout.write(
            f"Created {summary.organization.name}: {summary.users} users, {summary.customers} customers "
            f"({summary.in_pool} in the public pool), {summary.contacts} contacts in {summary.seconds:.1f} s."
        )
        for line in getattr(summary, "activity_lines", []):  # the last month of the reps' day
            self.stdout.write(f"  {line}")
        self.stdout.write("Logins (password: demo): admin, director, manager1..manager3, rep1..rep12, "
                          "presales1, service1, finance1")  # fmt: skip

    def _large(self, seed: int, progress: bool) -> None:
        from kam.customers.demo.large import LARGE_SIZE, LargeDatasetExists, build_large

        try:
            summary = build_large(seed=seed, size=LARGE_SIZE, progress=progress)
        except LargeDatasetExists as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
