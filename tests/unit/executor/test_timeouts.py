"""Per-action timeouts."""

from __future__ import annotations

import asyncio

from levante.executor import ActionRequest, OutcomeState
from tests.unit.executor.conftest import Harness, Probe


async def test_an_async_action_past_its_timeout_is_an_error(harness: Harness) -> None:
    async with harness() as (source, _):
        source.put(ActionRequest("a1", "std.sleep", {"seconds": 600}, timeout=0.02))
        async with asyncio.timeout(10):
            await source.wait_reported(1)
    outcome = source.outcomes["a1"]
    assert outcome.state is OutcomeState.ERROR
    assert outcome.state_info == "Action 'std.sleep' timed out after 0.02 seconds"


async def test_a_blocking_action_past_its_timeout_is_reported_while_its_thread_runs(
    harness: Harness, probe: Probe
) -> None:
    async with harness() as (source, executor):
        source.put(ActionRequest("a1", "test.blocking", timeout=0.02))
        async with asyncio.timeout(10):
            await source.wait_reported(1)
        assert probe.running == 1  # the thread cannot be interrupted...
        assert executor.in_flight == 0  # ...but the executor has moved on
        probe.thread_gate.set()
    assert source.outcomes["a1"].state_info == (
        "Action 'test.blocking' timed out after 0.02 seconds"
    )


async def test_a_timeout_raised_by_the_action_itself_is_not_ours(harness: Harness) -> None:
    async with harness() as (source, _):
        source.put(ActionRequest("a1", "test.own_timeout", timeout=60))
        async with asyncio.timeout(10):
            await source.wait_reported(1)
    assert source.outcomes["a1"].state_info == (
        "Action 'test.own_timeout' failed: TimeoutError: socket read timed out"
    )


async def test_zero_means_no_timeout(harness: Harness, probe: Probe) -> None:
    async with harness() as (source, _):
        source.put(ActionRequest("a1", "test.gated", {"value": "done"}, timeout=0))
        await probe.until_running(1)
        await asyncio.sleep(0.01)
        assert source.outcomes == {}
        probe.gate.set()
        async with asyncio.timeout(10):
            await source.wait_reported(1)
    assert source.outcomes["a1"].result == "done"


async def test_actions_that_finish_in_time_are_unaffected(harness: Harness) -> None:
    async with harness() as (source, _):
        source.put(ActionRequest("a1", "std.echo", {"output": "ok"}, timeout=30))
        async with asyncio.timeout(10):
            await source.wait_reported(1)
    assert source.outcomes["a1"].state is OutcomeState.SUCCESS
