"""`python -m kam.bench` (`make bench`): latency of the hot paths and HTTP throughput on a generated dataset.

The dataset lives in its own SQLite file under var/bench/, built once per scale and seed and reused.
See docs/benchmarks.md for the figures and what each row measures.
"""
