"""The benchmark run: dataset, latency table, EXPLAIN of the misses, HTTP throughput."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sqlite3
import warnings
from pathlib import Path
from typing import Any

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kam.bench.dataset import ensure_dataset
from kam.bench.day_operations import clock_of, day_operations
from kam.bench.deal_operations import deal_operations
from kam.bench.http_load import load, path_status, served
from kam.bench.operations import API_LIST, Subjects, operations, pick_subjects
from kam.bench.timing import Result, explain, measure, table

HEALTH = "/api/v1/health"
TARGET_SHARE = 0.30  # the list API should reach 30% of the no-database endpoint's throughput


def _planner_statistics(analyze: bool) -> str:
    """ANALYZE the file, or drop its statistics so the run sees the file as the app leaves it."""
    if connection.vendor != "sqlite":
        return ""
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute("ANALYZE")
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
    connection.close()  # SQLite reads the statistics when a connection opens
    return "with ANALYZE statistics" if analyze else "no planner statistics (no ANALYZE, as the app leaves the file)"


def _header(manifest: dict[str, Any], args: argparse.Namespace, statistics: str) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    flags = " --analyze" if args.analyze else ""
    return [
        f"KAM benchmark — {timezone.localtime().strftime('%Y-%m-%d %H:%M')}, {platform.python_implementation()} "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, load average {load}",
        f"command: python -m kam.bench --scale {args.scale} --seed {args.seed} --repeat {args.repeat}{flags}; "
        f"{statistics}",
        f"dataset: {manifest['customers']} customers, {manifest['contacts']} contacts, {manifest['users']} users, "
        f"{manifest.get('followups', 0)} follow-ups, {manifest.get('visits', 0)} visits, "
        f"{manifest.get('opportunities', 0)} opportunities "
        f"({manifest['size_mb']} MB, built in {manifest['build_seconds']} s)",
    ]


def _print_plans(results: list[Result], everything: bool, full_sql: bool) -> None:
    for result in results:
        if not everything and result.meets_target:
            continue
        print(f"\nEXPLAIN QUERY PLAN — {result.operation.name} (p95 {result.p95:.1f} ms)")
        # One of each statement: every rep's plan sends the same few shapes hundreds of times.
        distinct = list({statement.sql: statement for statement in result.statements}.values())
        if len(distinct) < len(result.statements):
            print(f"  ({len(result.statements)} statements, {len(distinct)} distinct; the first of each)")
        for sql, took, plan in explain(distinct):
            shown = sql if full_sql or len(sql) <= 160 else sql[:160] + "…"
            print(f"  [{took:.1f} ms] {shown}")
            for step in plan:
                print(f"    {step}")


def _no_db_path(port: int) -> tuple[str, str]:
    if path_status(port, HEALTH, {}) == 200:
        return HEALTH, ""
    try:
        login = reverse("login")
    except NoReverseMatch:
        login = "/api/v1/openapi.json"
    return login, f"{HEALTH} is missing, so {login} (no database for an anonymous GET) stands in for it"


def _http(args: argparse.Namespace, subjects: Subjects, path: Path) -> None:
    from kam.core.actions import create_api_token, revoke_api_token

    token, plain = create_api_token(subjects.rep, "benchmark")
    headers = {"Authorization": f"Bearer {plain}"}
    try:
        with served(path.with_name("serve.log")) as port:
            status = path_status(port, API_LIST, headers)
            if status != 200:
                print(f"GET {API_LIST} answered {status}: list API throughput not measured")
                return
            baseline_path, note = _no_db_path(port)
            for target in (API_LIST, baseline_path):  # warm both up first
                load(port, target, headers, args.clients, 2.0, 50)
            api = load(port, API_LIST, headers, args.clients, args.seconds, args.requests)
            baseline = load(port, baseline_path, headers, args.clients, args.seconds, args.requests)
    finally:
        revoke_api_token(subjects.rep, token.pk)
    share = api.per_second / baseline.per_second if baseline.per_second else 0.0
    print(f"\nHTTP throughput, {args.clients} concurrent clients, waitress with 8 threads on 127.0.0.1:")
    if note:
        print(f"  note: {note}")
    print(f"  {api.line()}")
    print(f"  {baseline.line()}")
    verdict = "ok" if share >= TARGET_SHARE else "MISSED"
    print(f"  list API / no-database endpoint = {share:.0%} (target ≥ {TARGET_SHARE:.0%}: {verdict})")


def run(args: argparse.Namespace, path: Path, version: int) -> int:
    # WhiteNoise warns once about a missing STATIC_ROOT when the test client loads the middleware.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a failing page is reported once, below
    manifest = ensure_dataset(path, args.scale, args.seed, version)
    statistics = _planner_statistics(args.analyze)
    subjects = pick_subjects()
    day = day_operations(subjects.rep, clock_of(manifest))
    deals = deal_operations(subjects.rep, subjects.director)
    print()
    for line in [*_header(manifest, args, statistics), *subjects.describe(), *day.notes, *deals.notes]:
        print(line)
    results, failures = [], []
    for operation in [*operations(subjects), *day.operations, *deals.operations]:
        try:
            results.append(measure(operation, args.repeat))
        except Exception as exc:  # noqa: BLE001 - one broken page must not hide the other figures
            failures.append(f"{operation.name}: {type(exc).__name__}: {exc}")
            print(f"  FAILED {operation.name}: {exc}", flush=True)
        else:
            print(f"  measured {operation.name}", flush=True)
    print()
    for line in table(results):
        print(line)
    for result in results:
        if result.operation.note:
            print(f"note — {result.operation.name}: {result.operation.note}")
    for failure in failures:
        print(f"not measured — {failure}")
    for name in [*day.unavailable, *deals.unavailable]:
        print(f"not available — {name}")
    missed = [r.operation.name for r in results if not r.meets_target]
    print(f"\nTargets (p95): {'all met' if not missed else 'missed by ' + ', '.join(missed)}")
    _print_plans(results, args.explain, args.full_sql)
    if not args.no_http:
        _http(args, subjects, path)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0
