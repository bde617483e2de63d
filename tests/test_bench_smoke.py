"""Every benchmark still runs (tiny sizes) and prints its table; timings are not checked."""

from __future__ import annotations

import math
from typing import Any

import pytest
import redis.asyncio as aioredis

from bench import (
    BENCHMARKS,
    ack_latency,
    approval_throughput,
    gate_search,
    kill_latency,
    kill_overhead,
)
from bench.__main__ import main
from bench._report import Report, fmt_ratio, percentile, ratio
from tests.support.redis_server import RedisServer

TINY: dict[str, Any] = {
    "ack": ack_latency.Params(requests=2, warmup=1, statsig_latency=0.0),
    "kill": kill_latency.Params(kills=2, warmup=0, statsig_latency=0.0),
    "kill-overhead": kill_overhead.Params(
        kills=2, warmup=0, queued=5, queued_kills=1, statsig_latency=0.0
    ),
    "approvals": approval_throughput.Params(requests=4, concurrency=(1, 2)),
    "search": gate_search.Params(gates=300, warm_repeats=1, cold_repeats=1, statsig_latency=0.0),
}


def test_every_benchmark_has_tiny_sizes_here() -> None:
    assert set(TINY) == set(BENCHMARKS)


@pytest.mark.parametrize("name", sorted(TINY))
async def test_benchmark_runs_and_reports_a_ratio(
    name: str, redis_server: RedisServer, redis_client: aioredis.Redis
) -> None:
    report = await BENCHMARKS[name].run(TINY[name], redis_server.url)

    text = report.render()
    assert report.rows and text.startswith(report.title)
    assert any("ratio" in column or "/" in column for row in [report.columns, *report.rows]
               for column in row)  # fmt: skip
    assert "n/a" not in text  # every figure and ratio was measured
    assert all(len(row) == len(report.columns) for row in report.rows)


def test_percentile_is_nearest_rank() -> None:
    samples = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 99) == 5.0
    assert percentile(samples, 0) == 1.0
    assert math.isnan(percentile([], 50))


def test_ratio_guards_against_a_missing_baseline() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert math.isnan(ratio(1.0, 0.0))
    assert fmt_ratio(ratio(1.0, 0.0)) == "n/a"


def test_report_rejects_a_row_of_the_wrong_width() -> None:
    report = Report("t", ("a", "b"))
    with pytest.raises(ValueError, match="2"):
        report.add("only one")


def test_unknown_benchmark_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-bench"]) == 2
    assert "ack" in capsys.readouterr().err
