"""Checks that the zh_Hans catalogue is complete and compiled: `python -m kam.core.i18n_check`.

Every msgid must have a non-empty, non-fuzzy msgstr, and the committed .mo must hold exactly
what the .po says (so `make demo` needs no gettext tools). When GNU gettext is installed, the
source is also re-scanned so that a string added to the code but not to the catalogue fails.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"


def parse_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid → (msgstr, fuzzy) for singular entries; plural entries keyed by msgid with msgstr[0]."""
    entries: dict[str, tuple[str, bool]] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    fuzzy = False
    context = ""

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy, context
        key = "".join(msgid)
        if key:
            entries[(context + "\x04" if context else "") + key] = ("".join(msgstr), fuzzy)
        msgid, msgstr, fuzzy, context = [], [], False, ""

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            target = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            context = _unquote(line[8:])
            target = None
        elif line.startswith("msgid "):
            msgid = [_unquote(line[6:])]
            target = msgid
        elif line.startswith("msgid_plural "):
            target = None
        elif line.startswith("msgstr ") or line.startswith("msgstr[0] "):
            msgstr = [_unquote(line.split(" ", 1)[1])]
            target = msgstr
        elif line.startswith("msgstr["):
            target = None
        elif line.startswith('"') and target is not None:
            target.append(_unquote(line))
    flush()
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("raw_unicode_escape").decode("unicode_escape")


def check_catalogue(language: str) -> list[str]:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    problems = []
    if not po.exists() or not mo.exists():
        return [f"{po} or its .mo is missing"]
    entries = parse_po(po)
    for msgid, (msgstr, fuzzy) in entries.items():
        if not msgstr:
            problems.append(f"untranslated: {msgid!r}")
        elif fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, (msgstr, fuzzy) in entries.items():
        if msgstr and not fuzzy and "\x04" not in msgid and compiled.gettext(msgid) != msgstr:
            problems.append(f".mo out of date for {msgid!r} (run `make messages`)")
    return problems


def scan_source() -> set[str]:
    """msgids in the code now, via Django's makemessages in a scratch copy (needs xgettext)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kam"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "tests"))
        (copy / "locale").mkdir()
        # A settings module without LOCALE_PATHS, so makemessages writes into the scratch copy only.
        (Path(tmp) / "kam_scan_settings.py").write_text("from kam.settings import *\nLOCALE_PATHS = []\n")
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="kam_scan_settings", PYTHONPATH=f"{tmp}{os.pathsep}{ROOT.parent}")
        subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
            [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
        scanned = parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    return set(scanned)


def main() -> int:
    problems = check_catalogue("zh_Hans")
    if shutil.which("xgettext"):
        known = set(parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        for msgid in sorted(scan_source() - known):
            problems.append(f"not in the catalogue: {msgid!r} (run `make messages` and translate)")
    else:
        print("i18n check: xgettext not installed; only the catalogue itself was checked")
    for problem in problems:
        print(problem)
    print(f"i18n check: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
