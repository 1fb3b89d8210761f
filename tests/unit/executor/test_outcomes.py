"""What the executor reports for each way an action can end."""

from __future__ import annotations

import asyncio

from levante.actions import ActionContext
from levante.executor import ActionRequest, OutcomeState
from tests.unit.executor.conftest import Harness, Probe


async def run_one(harness: Harness, request: ActionRequest):
    async with harness() as (source, _):
        source.put(request)
        async with asyncio.timeout(10):
            await source.wait_reported(1)
        return source.outcomes[request.action_execution_id]


async def test_noop_succeeds_with_null(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.noop"))
    assert outcome.state is OutcomeState.SUCCESS
    assert outcome.result is None
    assert outcome.state_info is None
    assert 0 < outcome.started_at <= outcome.finished_at


async def test_echo_succeeds_with_its_output(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.echo", {"output": {"k": [1]}}))
    assert (outcome.state, outcome.result) == (OutcomeState.SUCCESS, {"k": [1]})


async def test_test_dict_result_is_reported(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.test_dict", {"size": 2}))
    assert outcome.result == {"0": "", "1": ""}


async def test_fail_is_an_error_whose_result_is_the_message(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.fail"))
    assert outcome.state is OutcomeState.ERROR
    assert outcome.state_info == (
        "Action 'std.fail' failed: ActionError: Fail action expected exception."
    )
    assert outcome.result == outcome.state_info


async def test_fail_with_error_data_reports_the_data(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.fail", {"error_data": {"x": 1}}))
    assert outcome.state is OutcomeState.ERROR
    assert outcome.result == {"x": 1}
    assert outcome.state_info == "{'x': 1}"


async def test_an_exception_in_a_thread_is_an_error_with_type_and_message(
    harness: Harness,
) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.boom"))
    assert outcome.state is OutcomeState.ERROR
    assert outcome.state_info == "Action 'test.boom' failed: ValueError: disk full"


async def test_an_exception_in_an_async_action_is_an_error(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.async_boom"))
    assert outcome.state_info == "Action 'test.async_boom' failed: ActionError: remote refused"


async def test_an_exception_in_an_inline_action_is_an_error(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.inline_boom"))
    assert outcome.state_info == "Action 'test.inline_boom' failed: KeyError: 'missing'"


async def test_even_system_exit_from_an_action_is_only_an_error(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.exits"))
    assert outcome.state is OutcomeState.ERROR
    assert "SystemExit: 3" in outcome.state_info


async def test_an_unknown_action_is_an_error_naming_it(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.nope"))
    assert outcome.state is OutcomeState.ERROR
    assert "Action 'std.nope' not found" in outcome.state_info


async def test_bad_input_is_an_error_naming_the_parameter(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.echo", {"outptu": 1}))
    assert outcome.state is OutcomeState.ERROR
    assert outcome.state_info.startswith("Action 'std.echo' is missing required input: output")


async def test_bad_input_to_a_thread_action_is_an_error_too(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.boom", {"x": 1}))
    assert "'test.boom' got unexpected input: x" in outcome.state_info


async def test_an_action_cancelling_itself_is_cancelled(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.self_cancel"))
    assert (outcome.state, outcome.result) == (OutcomeState.CANCELLED, "partial")


async def test_an_asynchronous_action_is_left_pending(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.async_noop"))
    assert outcome.state is OutcomeState.PENDING
    assert outcome.result is None
    assert not outcome.is_final


async def test_an_asynchronous_action_returning_an_error_fails_at_once(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.async_failing"))
    assert (outcome.state, outcome.result) == (OutcomeState.ERROR, "could not start")


async def test_a_redelivered_request_without_safe_rerun_is_failed_not_run(
    harness: Harness, probe: Probe
) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "test.counted", redelivered=True))
    assert outcome.state is OutcomeState.ERROR
    assert "safe-rerun: true" in outcome.state_info
    assert probe.runs == 0


async def test_a_redelivered_request_with_safe_rerun_runs_again(
    harness: Harness, probe: Probe
) -> None:
    request = ActionRequest("a1", "test.counted", redelivered=True, safe_rerun=True)
    outcome = await run_one(harness, request)
    assert (outcome.state, outcome.result, probe.runs) == (OutcomeState.SUCCESS, 1, 1)


async def test_the_action_receives_the_requests_context(harness: Harness, probe: Probe) -> None:
    context = ActionContext.for_action_execution("a1", workflow_execution_id="wf-7")
    probe.gate.set()
    probe.thread_gate.set()
    await run_one(harness, ActionRequest("a1", "test.gated", context=context))
    await run_one(harness, ActionRequest("a2", "test.blocking"))
    assert probe.contexts[0] is context
    assert probe.contexts[1].execution.action_execution_id == "a2"
    assert probe.contexts[1].execution.callback_url == "/v2/action_executions/a2"


async def test_failures_do_not_stop_the_executor(harness: Harness) -> None:
    names = ["test.boom", "std.nope", "test.inline_boom", "std.noop", "test.async_boom"] * 20
    async with harness() as (source, _):
        source.put_many(ActionRequest(f"a{i}", name) for i, name in enumerate(names))
        async with asyncio.timeout(10):
            await source.wait_reported(len(names))
    states = [source.outcomes[f"a{i}"].state for i in range(len(names))]
    assert states.count(OutcomeState.SUCCESS) == 20
    assert states.count(OutcomeState.ERROR) == 80


async def test_output_is_shaped_as_mistral_shows_it(harness: Harness) -> None:
    outcome = await run_one(harness, ActionRequest("a1", "std.echo", {"output": [1]}))
    assert outcome.output == {"result": [1]}
    pending = await run_one(harness, ActionRequest("a2", "std.async_noop"))
    assert pending.output is None


async def test_run_direct_returns_the_outcome_without_the_queue(
    harness: Harness, probe: Probe
) -> None:
    probe.thread_gate.set()
    async with harness() as (source, executor):
        echoed = await executor.run_direct(ActionRequest("d1", "std.echo", {"output": "hi"}))
        blocked = await executor.run_direct(ActionRequest("d2", "test.blocking", {"value": 2}))
        inline = await executor.run_direct(ActionRequest("d3", "std.noop"))
        failed = await executor.run_direct(ActionRequest("d4", "std.nope"))
    assert (echoed.result, blocked.result, inline.state) == ("hi", 2, OutcomeState.SUCCESS)
    assert failed.state is OutcomeState.ERROR
    assert source.outcomes == {}
