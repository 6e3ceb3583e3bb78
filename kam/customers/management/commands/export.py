"""`kam export customers --user USERNAME`: what that user's customer list shows, as .xlsx or .csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.core.models import User
from kam.customers.imports.export import csv_chunks, export_filename, export_rows, write_xlsx
from kam.customers.queries import SORTS, CustomerFilters


class Command(BaseCommand):
    help = "Export the customers a user may see (with the customer-list filters) to .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["customers"])
        parser.add_argument("--user", required=True, help="export what this user may see")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", help="file to write (default: 客户导出-YYYYMMDD.xlsx here)")
        parser.add_argument("--q", default="", help="search text")
        parser.add_argument("--owner", type=int, help="owner user id")
        parser.add_argument("--team", type=int, help="team id (its whole subtree)")
        parser.add_argument("--tier", default="", choices=["", "A", "B", "C"])
        parser.add_argument("--status", default="")
        parser.add_argument("--industry", default="", help="GB/T 4754 code")
        parser.add_argument("--province", default="", help="GB/T 2260 code")
        parser.add_argument("--city", default="", help="GB/T 2260 code")
        parser.add_argument("--tag", type=int, help="tag id")
        parser.add_argument("--stale-days", type=int, help="no follow-up for this many days")
        parser.add_argument("--sort", default="updated", choices=sorted(SORTS))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None or user.organization_id is None:
            raise CommandError(f"no active user {options['user']!r} in an organization")
        filters = CustomerFilters(
            q=options["q"],
            owner=options["owner"],
            team=options["team"],
            tier=options["tier"],
            status=options["status"],
            industry=options["industry"],
            province=options["province"],
            city=options["city"],
            tag=options["tag"],
            stale_days=options["stale_days"],
            sort=options["sort"],
        )
        path = Path(options["output"] or export_filename(options["format"]))
        count = -1  # the header is the first row
        rows = export_rows(user, filters)

        def counted() -> Any:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        with path.open("wb") as fh:
            if options["format"] == "csv":
                for chunk in csv_chunks(counted()):
                    fh.write(chunk)
            else:
                write_xlsx(counted(), "客户", fh)
        self.stdout.write(f"wrote {count} customers to {path}")
