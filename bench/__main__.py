"""``python -m bench [--quick] [name…]``: run benchmarks and print one table each.

Run from the repository root (it imports ``tests.support`` and ``tests.fakes``). A
``redis-server`` binary must be on ``PATH``; one server is started on a free loopback port
for the run, flushed between benchmarks, and stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence

import redis

from bench import BENCHMARKS, Benchmark
from bench._infra import running_redis
from bot.logging import configure_logging

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of statsig-chatops, each against a baseline in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a rough look)")
    parser.add_argument(
        "names", nargs="*", metavar="name", help=f"any of: {', '.join(BENCHMARKS)} (default: all)"
    )
    return parser


@contextlib.contextmanager
def _maybe_redis(needed: bool) -> Iterator[str]:
    if not needed:
        yield ""
        return
    with running_redis() as url:
        yield url


def _flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushall()
    finally:
        client.close()


def _header(quick: bool) -> str:
    size = "quick" if quick else "full"
    return (
        f"statsig-chatops benchmarks ({size}): Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )


def _run_one(bench: Benchmark[object], quick: bool, redis_url: str) -> str:
    if redis_url:
        _flush(redis_url)
    started = time.perf_counter()
    report = asyncio.run(bench.run(bench.quick if quick else bench.full, redis_url))
    return f"{report.render()}\n  ({time.perf_counter() - started:.1f} s)\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from "
              f"{', '.join(BENCHMARKS)}", file=sys.stderr)  # fmt: skip
        return 2
    chosen = [BENCHMARKS[n] for n in (args.names or BENCHMARKS)]
    configure_logging("ERROR")  # keep the tables readable; failures still show
    print(_header(args.quick), end="\n\n", flush=True)
    with _maybe_redis(any(b.needs_redis for b in chosen)) as url:
        for bench in chosen:
            print(_run_one(bench, args.quick, url), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
