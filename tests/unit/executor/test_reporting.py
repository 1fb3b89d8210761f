"""Outcomes are reported in batches, retried on failure, and leases heartbeated."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from levante.executor import ActionOutcome, ActionRequest, InMemoryWorkSource
from tests.unit.executor.conftest import Harness, Probe


def noops(count: int) -> list[ActionRequest]:
    return [ActionRequest(f"a{i}", "std.noop") for i in range(count)]


async def test_many_outcomes_go_out_in_few_full_batches(harness: Harness) -> None:
    async with harness(report_batch=100, claim_batch=256) as (source, _):
        source.put_many(noops(1000))
        async with asyncio.timeout(10):
            await source.wait_reported(1000)
    assert sum(source.report_batches) == 1000
    assert max(source.report_batches) == 100
    assert len(source.report_batches) < 20


async def test_a_lone_outcome_is_reported_without_waiting_for_a_full_batch(
    harness: Harness,
) -> None:
    async with harness(report_batch=1000, report_interval=0.001) as (source, _):
        source.put(ActionRequest("a1", "std.noop"))
        async with asyncio.timeout(10):
            await source.wait_reported(1)
    assert source.report_batches == [1]


async def test_a_failed_report_is_retried_and_nothing_is_lost(harness: Harness) -> None:
    source = InMemoryWorkSource()
    source.fail_next_reports = 3
    async with harness(source, retry_delay=0.001, report_batch=50) as (_, _executor):
        source.put_many(noops(500))
        async with asyncio.timeout(10):
            await source.wait_reported(500)
    assert sum(source.report_batches) == 500
    assert source.fail_next_reports == 0


async def test_outcomes_are_flushed_at_stop(harness: Harness) -> None:
    async with harness(report_batch=10_000, report_interval=3600) as (source, _):
        source.put_many(noops(30))
        async with asyncio.timeout(10):
            while source.queued:
                await asyncio.sleep(0)
        assert source.outcomes == {}
    assert len(source.outcomes) == 30


async def test_the_on_report_callback_sees_each_batch() -> None:
    seen: list[int] = []

    def on_report(batch: Sequence[ActionOutcome]) -> None:
        seen.append(len(batch))

    source = InMemoryWorkSource(on_report=on_report)
    from levante.executor import Executor

    async with Executor(source) as _:
        source.put_many(noops(10))
        async with asyncio.timeout(10):
            await source.wait_reported(10)
    assert sum(seen) == 10


async def test_running_actions_are_heartbeated(harness: Harness, probe: Probe) -> None:
    async with harness(heartbeat_interval=0.005) as (source, _):
        source.put(ActionRequest("a1", "test.gated"))
        async with asyncio.timeout(10):
            while not any("a1" in beat for beat in source.heartbeats):
                await asyncio.sleep(0.001)
        probe.gate.set()


class FlakyClaims(InMemoryWorkSource):
    """Fails the first claim, as a database that restarts would."""

    def __init__(self) -> None:
        super().__init__()
        self.claim_failures = 1

    async def claim(self, limit: int) -> list[ActionRequest]:
        if self.claim_failures:
            self.claim_failures -= 1
            raise ConnectionError("database restarting")
        return await super().claim(limit)


async def test_a_failed_claim_is_retried(harness: Harness) -> None:
    source = FlakyClaims()
    source.put_many(noops(3))
    async with harness(source, retry_delay=0.001) as _:
        async with asyncio.timeout(10):
            await source.wait_reported(3)
    assert source.claim_failures == 0


async def test_claiming_pauses_while_too_many_outcomes_are_unreported(harness: Harness) -> None:
    source = InMemoryWorkSource()
    source.fail_next_reports = 10**9
    async with harness(source, max_unreported=100, claim_batch=10, retry_delay=0.001) as _:
        source.put_many(noops(1000))
        async with asyncio.timeout(10):
            while source.claimed < 100:
                await asyncio.sleep(0.001)
        for _ in range(50):
            await asyncio.sleep(0.001)
        assert source.claimed == 100
        source.fail_next_reports = 0
        async with asyncio.timeout(10):
            await source.wait_reported(1000)
