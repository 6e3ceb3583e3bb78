"""HTTP throughput: `kam serve` (waitress) on a free loopback port, hit by a few client threads.

Loopback only; every loop is bounded by a time limit and a request limit; the server is stopped
when the measurement ends, also on errors.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kam.bench.timing import percentile

HOST = "127.0.0.1"
STARTUP_SECONDS = 60.0


@dataclass
class Throughput:
    path: str
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        lat = f"p50 {percentile(self.latencies, 50):.1f} ms, p95 {percentile(self.latencies, 95):.1f} ms"
        fails = f", {self.failed} failed {self.statuses}" if self.failed else ""
        return (
            f"GET {self.path}: {self.ok} requests in {self.seconds:.1f} s = {self.per_second:.0f} req/s ({lat}){fails}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _status(port: int, path: str) -> int | None:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@contextmanager
def served(log: Path, threads: int = 8) -> Iterator[int]:
    """Run `kam serve` with the benchmark database (inherited environment) and yield its port."""
    port = free_port()
    command = [sys.executable, "-m", "kam.cli", "serve", "--host", HOST, "--port", str(port), "--threads", str(threads)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))  # noqa: S603
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while _status(port, "/api/v1/health") is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"kam serve did not start; see {log}")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def path_status(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def load(port: int, path: str, headers: dict[str, str], clients: int, seconds: float, limit: int) -> Throughput:
    """`clients` threads, each with a keep-alive connection, until `seconds` pass or `limit` requests are sent."""
    result = Throughput(path)
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            while True:
                with lock:
                    if issued >= limit or time.monotonic() >= deadline:
                        return
                    issued += 1
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status == 200:
                        result.ok += 1
                        result.latencies.append(elapsed)
                    else:
                        result.failed += 1
        finally:
            conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, daemon=True) for _index in range(clients)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - started
    if not result.latencies:
        result.latencies.append(0.0)
    return result
