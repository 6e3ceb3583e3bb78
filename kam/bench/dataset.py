"""Build the benchmark dataset once per scale, seed and generator version, then reuse it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

# Bumped with the deal generator (issue 4: 200k opportunities in `large`): a dataset built before it is
# rebuilt even where kam.customers.demo.GENERATOR_VERSION (the file name) did not change.
DEALS_VERSION = 1


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _build(scale: str, seed: int) -> dict[str, Any]:
    # The data is relative to this moment; the day operations run at it (kam.bench.day_operations).
    clock = timezone.now()
    if scale == "demo":
        from kam.activities.models import FollowUp, Visit
        from kam.customers.demo.demo_org import build_demo
        from kam.sales.models import Opportunity

        demo = build_demo(seed=seed, now=clock)
        return {"customers": demo.customers, "contacts": demo.contacts, "users": demo.users,
                "followups": FollowUp.objects.count(), "visits": Visit.objects.count(),
                "opportunities": Opportunity.objects.count(), "seconds": demo.seconds,
                "clock": clock.isoformat()}  # fmt: skip
    from kam.customers.demo.large import LARGE_SIZE, build_large

    large = build_large(seed=seed, size=LARGE_SIZE, now=clock, progress=True)
    for line in large.lines():
        print(line)
    activities, deals = large.activities, large.deals
    return {
        "customers": large.customers,
        "contacts": large.contacts,
        "users": large.users,
        "followups": activities.followups if activities else 0,
        "visits": (activities.visits + activities.planned_visits) if activities else 0,
        "activities_seconds": round(activities.seconds, 1) if activities else 0,
        "opportunities": deals.opportunities if deals else 0,
        "stage_changes": deals.stage_changes if deals else 0,
        "deals_seconds": round(deals.seconds, 1) if deals else 0,
        "seconds": large.seconds,
        "clock": clock.isoformat(),
    }


def ensure_dataset(path: Path, scale: str, seed: int, version: int) -> dict[str, Any]:
    """The manifest of a complete dataset at `path`, building it first when missing or stale.

    The manifest is written last, so an interrupted build is never reused.
    """
    manifest_file = _manifest_path(path)
    if path.exists() and manifest_file.exists():
        manifest: dict[str, Any] = json.loads(manifest_file.read_text())
        found = (manifest.get("scale"), manifest.get("seed"), manifest.get("version"), manifest.get("deals_version"))
        if found == (scale, seed, version, DEALS_VERSION):
            print(f"Reusing the {scale} dataset (seed {seed}) in {path}")
            return manifest
    if path.exists() and not manifest_file.exists() and path.parent.name != "bench":
        # Never delete a database the benchmark did not build (e.g. --db var/kam.sqlite3 by mistake).
        raise SystemExit(f"{path} exists and is not a benchmark dataset; pass another --db path.")
    connection.close()
    _remove(path)
    print(f"Building the {scale} dataset (seed {seed}) in {path} …")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    stats = _build(scale, seed)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    manifest = {
        "scale": scale,
        "seed": seed,
        "version": version,
        "deals_version": DEALS_VERSION,
        "built_at": timezone.now().isoformat(timespec="seconds"),
        "migrate_seconds": round(migrated, 1),
        "build_seconds": round(stats.pop("seconds"), 1),
        "size_mb": round(path.stat().st_size / 2**20, 1),
        **stats,
    }
    manifest_file.write_text(json.dumps(manifest, indent=2))
    print(f"Built in {manifest['build_seconds']} s (+ {manifest['migrate_seconds']} s migrations), "
          f"{manifest['size_mb']} MB.")  # fmt: skip
    return manifest
