"""`kam serve`: serve KAM with waitress (a production-grade pure-Python WSGI server).

The server also runs the periodic jobs (`kam tick`) every minute on a background thread. Deployments
with several server processes turn that off with `--no-scheduler` and run `kam tick` from cron every
minute instead, so the jobs run once per minute rather than once per process.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kam.core.scheduler import TickScheduler


class Command(BaseCommand):
    help = "Serve KAM over HTTP with waitress (and run the periodic jobs every minute unless --no-scheduler)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not run the periodic jobs in this process (use cron `kam tick` with several workers)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from kam.wsgi import application

        scheduler = None if options["no_scheduler"] else TickScheduler()
        if scheduler is not None:
            scheduler.start()
        self.stdout.write(f"KAM: http://{options['host']}:{options['port']}/")
        try:
            serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="KAM")
        finally:
            if scheduler is not None:
                scheduler.stop(timeout=5)
