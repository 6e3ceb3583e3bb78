"""Entry point: pick the dataset file and point Django at it before anything imports the settings."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kam.customers.demo import GENERATOR_VERSION  # no Django import: safe before the settings are chosen

ROOT = Path(__file__).resolve().parents[2]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kam.bench",
        description="Latency of KAM's hot paths and HTTP throughput on a generated dataset (docs/benchmarks.md).",
    )
    parser.add_argument("--scale", choices=["demo", "large"], default="large")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--db", type=Path, help="SQLite file of the dataset (default: var/bench/<scale>-<seed>…)")
    parser.add_argument("--repeat", type=int, default=50, help="runs per operation (default 50)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="HTTP time limit per endpoint (default 10)")
    parser.add_argument("--requests", type=int, default=2000, help="HTTP request limit per endpoint (default 2000)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP throughput part")
    parser.add_argument(
        "--analyze", action="store_true", help="run ANALYZE first (default: drop planner statistics, as the app does)"
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN QUERY PLAN of every operation")
    parser.add_argument("--full-sql", action="store_true", help="print whole statements with the plans")
    return parser.parse_args(argv)


def dataset_path(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return Path(args.db).resolve()
    var = Path(os.environ.get("KAM_VAR_DIR", ROOT / "var"))
    return var / "bench" / f"kam-{args.scale}-seed{args.seed}-v{GENERATOR_VERSION}.sqlite3"


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    path = dataset_path(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.pop("DATABASE_URL", None):
        print("DATABASE_URL is ignored: the benchmark uses its own SQLite file.")
    os.environ["KAM_SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    import django

    django.setup()
    from kam.bench.run import run

    return run(args, path, GENERATOR_VERSION)


if __name__ == "__main__":
    sys.exit(main())
