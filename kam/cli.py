"""The `kam` command: the project's management commands under one short name.

`kam serve` runs the WSGI server (waitress); every other word is a Django management command
(`kam demo`, `kam token rep1`, `kam import customers FILE`, `kam recycle`, `kam migrate` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        args = ["help", "--commands"] if not args else ["help", *args[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kam", *args])


if __name__ == "__main__":
    main()
