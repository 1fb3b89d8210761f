"""Many actions run at once, up to the configured caps."""

from __future__ import annotations

import asyncio

import pytest

from levante.actions.std import basic
from levante.executor import ActionRequest, OutcomeState
from tests.unit.executor.conftest import Harness, Probe


def gated(count: int, name: str = "test.gated") -> list[ActionRequest]:
    return [ActionRequest(f"a{i}", name, {"value": i}) for i in range(count)]


async def test_async_actions_all_run_at_the_same_time(harness: Harness, probe: Probe) -> None:
    async with harness(max_concurrency=1000) as (source, executor):
        source.put_many(gated(300))
        await probe.until_running(300)
        assert executor.in_flight == 300
        probe.gate.set()
        async with asyncio.timeout(10):
            await source.wait_reported(300)
    assert [source.outcomes[f"a{i}"].result for i in range(300)] == list(range(300))
    assert probe.peak == 300


async def test_the_concurrency_cap_is_never_exceeded(harness: Harness, probe: Probe) -> None:
    async with harness(max_concurrency=10) as (source, executor):
        source.put_many(gated(50))
        await probe.until_running(10)
        for _ in range(20):  # give the loop every chance to over-claim
            await asyncio.sleep(0)
        assert (probe.running, executor.in_flight, source.queued) == (10, 10, 40)
        probe.gate.set()
        async with asyncio.timeout(10):
            await source.wait_reported(50)
    assert probe.peak == 10
    assert all(o.state is OutcomeState.SUCCESS for o in source.outcomes.values())


async def test_blocking_actions_are_capped_by_the_thread_pool(
    harness: Harness, probe: Probe
) -> None:
    async with harness(max_threads=4) as (source, _):
        source.put_many(gated(12, "test.blocking"))
        await probe.until_running(4)
        probe.thread_gate.set()
        async with asyncio.timeout(10):
            await source.wait_reported(12)
    assert probe.peak == 4
    assert probe.runs == 12


async def test_inline_actions_run_while_async_ones_wait(harness: Harness, probe: Probe) -> None:
    async with harness() as (source, _):
        source.put_many(gated(5))
        source.put_many(ActionRequest(f"n{i}", "std.noop") for i in range(100))
        async with asyncio.timeout(10):
            await source.wait_reported(100)
        assert probe.running == 5
        probe.gate.set()
        await source.wait_reported(105)


async def test_sleeping_std_actions_share_one_thread(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeping = 0
    peak = 0
    wake = asyncio.Event()

    async def counting_sleep(seconds: float) -> None:
        nonlocal sleeping, peak
        sleeping += 1
        peak = max(peak, sleeping)
        await wake.wait()
        sleeping -= 1

    monkeypatch.setattr(basic, "sleep", counting_sleep)
    count = 2000
    async with harness(max_concurrency=5000, max_threads=1) as (source, _):
        source.put_many(ActionRequest(f"s{i}", "std.sleep", {"seconds": 5}) for i in range(count))
        source.put_many(
            ActionRequest(f"e{i}", "std.echo", {"output": i, "delay": 1}) for i in range(count)
        )
        async with asyncio.timeout(10):
            while sleeping < 2 * count:
                await asyncio.sleep(0.001)
        wake.set()
        async with asyncio.timeout(10):
            await source.wait_reported(2 * count)
    assert peak == 2 * count
    assert source.outcomes["e7"].result == 7
