"""Executor overhead: actions per second through the executor, in-memory source.

    .venv/bin/python -m bench.executor_noop [--count 200000] [--sleepers 10000]

Prints, for each run mode, the throughput and the cost per action of the
executor alone (claim, instantiate, run, build the outcome, batch the
report), then how long 10,000 one-second ``std.echo`` delays take together
and how many threads that used.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import threading
import time
from typing import Any

from levante.actions import Action, ActionRegistry, ClassActionProvider
from levante.actions.std import StdActionProvider
from levante.executor import ActionRequest, Executor, ExecutorConfig, InMemoryWorkSource


class BlockingNoop(Action):
    """A no-op that declares itself blocking, as every third-party action does."""

    def run(self, context: Any) -> None:
        """Return null from a pool thread."""
        return None


def registry() -> ActionRegistry:
    """std actions plus ``bench.blocking_noop``."""
    extra = ClassActionProvider("bench", {"bench.blocking_noop": BlockingNoop})
    return ActionRegistry([StdActionProvider(), extra])


async def throughput(name: str, input: dict[str, Any], count: int, **config: Any) -> float:
    """Seconds to run ``count`` requests of ``name`` through a fresh executor."""
    source = InMemoryWorkSource()
    requests = [ActionRequest(f"a{i}", name, input) for i in range(count)]
    executor = Executor(source, registry(), ExecutorConfig(**config))
    await executor.start()
    start = time.perf_counter()
    source.put_many(requests)
    await source.wait_reported(count)
    elapsed = time.perf_counter() - start
    await executor.stop()
    return elapsed


async def sleepers(count: int) -> tuple[float, int]:
    """Seconds for ``count`` concurrent 1 s echoes, and the peak thread count."""
    source = InMemoryWorkSource()
    config = ExecutorConfig(max_concurrency=count)
    executor = Executor(source, registry(), config)
    await executor.start()
    peak_threads = threading.active_count()
    start = time.perf_counter()
    source.put_many(
        ActionRequest(f"s{i}", "std.echo", {"output": i, "delay": 1}) for i in range(count)
    )
    waiting = asyncio.ensure_future(source.wait_reported(count))
    while not waiting.done():
        peak_threads = max(peak_threads, threading.active_count())
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - start
    await executor.stop()
    return elapsed, peak_threads


def report(label: str, count: int, seconds: float) -> None:
    """Print one throughput line."""
    print(
        f"{label:<42} {count:>8} actions  {count / seconds:>10,.0f}/s  "
        f"{seconds / count * 1e6:>6.1f} µs/action"
    )


async def main(count: int, sleeper_count: int) -> None:
    """Run every measurement and print the figures."""
    await throughput("std.noop", {}, 1000)  # warm up imports and code paths
    # First, while no pool thread from another measurement is alive.
    elapsed, threads = await sleepers(sleeper_count)
    print(
        f"{sleeper_count} x std.echo delay=1 at once: {elapsed:.2f} s wall, "
        f"peak {threads} threads in the process"
    )
    report("std.noop (inline)", count, await throughput("std.noop", {}, count))
    report(
        "std.echo delay=0 (async task)",
        count // 4,
        await throughput("std.echo", {"output": 1}, count // 4),
    )
    report(
        "blocking no-op (thread pool, 64 threads)",
        count // 10,
        await throughput("bench.blocking_noop", {}, count // 10),
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--sleepers", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.count, args.sleepers))
