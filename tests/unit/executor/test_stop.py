"""Graceful stop and cancellation."""

from __future__ import annotations

import asyncio

from levante.executor import ActionRequest, Executor, InMemoryWorkSource, OutcomeState
from tests.unit.executor.conftest import Harness, Probe


async def test_stop_waits_for_running_actions_and_reports_them(
    registry, probe: Probe
) -> None:
    source = InMemoryWorkSource()
    executor = Executor(source, registry)
    await executor.start()
    source.put_many(ActionRequest(f"a{i}", "test.gated", {"value": i}) for i in range(5))
    await probe.until_running(5)
    stopping = asyncio.create_task(executor.stop(grace=30))
    await asyncio.sleep(0.01)
    assert not stopping.done()
    source.put(ActionRequest("late", "std.noop"))  # arrives after stop: not claimed
    probe.gate.set()
    async with asyncio.timeout(10):
        abandoned = await stopping
    assert abandoned == []
    assert sorted(source.outcomes) == [f"a{i}" for i in range(5)]
    assert source.queued == 1


async def test_actions_still_running_at_the_deadline_are_abandoned_unreported(
    registry, probe: Probe
) -> None:
    source = InMemoryWorkSource()
    executor = Executor(source, registry)
    await executor.start()
    source.put(ActionRequest("slow", "test.gated"))
    source.put(ActionRequest("quick", "std.noop"))
    await probe.until_running(1)
    async with asyncio.timeout(10):
        abandoned = await executor.stop(grace=0.01)
    assert abandoned == ["slow"]
    assert list(source.outcomes) == ["quick"]
    assert probe.running == 0  # the async action was cancelled, not left dangling


async def test_an_idle_executor_stops_without_waiting_for_its_poll(registry) -> None:
    source = InMemoryWorkSource()
    executor = Executor(source, registry)
    await executor.start()
    await asyncio.sleep(0.01)  # let it go idle in wait_for_work
    async with asyncio.timeout(10):
        assert await executor.stop() == []


async def test_stop_before_start_does_nothing(registry) -> None:
    assert await Executor(InMemoryWorkSource(), registry).stop() == []


async def test_new_work_is_picked_up_at_once_without_polling(harness: Harness) -> None:
    async with harness(poll_interval=3600) as (source, _):
        await asyncio.sleep(0.01)  # idle
        source.put(ActionRequest("a1", "std.noop"))
        async with asyncio.timeout(10):
            await source.wait_reported(1)


async def test_cancel_interrupts_an_async_action_and_reports_cancelled(
    harness: Harness, probe: Probe
) -> None:
    async with harness() as (source, executor):
        source.put(ActionRequest("a1", "test.gated"))
        await probe.until_running(1)
        assert executor.cancel("a1") is True
        async with asyncio.timeout(10):
            await source.wait_reported(1)
        assert probe.running == 0
    assert source.outcomes["a1"].state is OutcomeState.CANCELLED


async def test_cancel_of_a_blocking_action_reports_at_once(
    harness: Harness, probe: Probe
) -> None:
    async with harness() as (source, executor):
        source.put(ActionRequest("a1", "test.blocking"))
        await probe.until_running(1)
        executor.cancel("a1")
        async with asyncio.timeout(10):
            await source.wait_reported(1)
        probe.thread_gate.set()
    assert source.outcomes["a1"].state is OutcomeState.CANCELLED


async def test_cancel_of_an_unknown_action_says_so(harness: Harness) -> None:
    async with harness() as (_, executor):
        assert executor.cancel("nope") is False
