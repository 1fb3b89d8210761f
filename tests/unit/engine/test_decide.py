"""decide(): the commands for one event, checked directly."""

from __future__ import annotations

from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine.memory import MemoryHost
from levante.engine.states import ActionState
from levante.lang import parse_workflows
from levante.lang.spec import WorkflowSpec

WITH_ITEMS = """
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% range(0, 10) %>
      concurrency: 3
      action: std.echo
      input: {output: <% $.x %>}
"""


def parse(text: str) -> dict[str, WorkflowSpec]:
    """The workflows of a document, by name."""
    return dict(parse_workflows(text).workflows)


def test_iterations_are_created_in_one_batch_with_those_beyond_the_cap_idle() -> None:
    host = MemoryHost(parse(WITH_ITEMS))
    host.start("wf")
    batches = [c for _, cs in host.log for c in cs if isinstance(c, cmd.ScheduleActions)]
    assert len(batches) == 1
    states = [a.state for a in batches[0].actions]
    assert states == [ActionState.RUNNING] * 3 + [ActionState.IDLE] * 7
    assert [a.item_index for a in batches[0].actions] == list(range(10))


def test_finishing_one_iteration_reads_no_other_results_and_promotes_one() -> None:
    host = MemoryHost(parse(WITH_ITEMS))
    host.start("wf")
    calls: list[str] = []
    original = host.results_of

    def spy(task_id: str):  # type: ignore[no-untyped-def]
        calls.append(task_id)
        return original(task_id)

    host.results_of = spy  # type: ignore[method-assign]
    first = host.queue.popleft()
    commands = host.handle(ev.ActionFinished(first, "SUCCESS", 0))
    assert calls == []
    assert [type(c) for c in commands] == [cmd.UpdateAction, cmd.PromoteIdle, cmd.UpdateTask]


def test_a_result_is_accepted_at_most_once() -> None:
    host = MemoryHost(parse(WITH_ITEMS))
    host.start("wf")
    first = host.queue.popleft()
    host.handle(ev.ActionFinished(first, "SUCCESS", 0))
    assert host.handle(ev.ActionFinished(first, "SUCCESS", 0)) == []


def test_the_task_result_is_gathered_once_when_the_task_ends() -> None:
    host = MemoryHost(parse(WITH_ITEMS))
    exec_id = host.start("wf")
    calls: list[str] = []
    original = host.results_of

    def spy(task_id: str):  # type: ignore[no-untyped-def]
        calls.append(task_id)
        return original(task_id)

    host.results_of = spy  # type: ignore[method-assign]
    while host.queue:
        aid = host.queue.popleft()
        host.handle(ev.ActionFinished(aid, "SUCCESS", host.actions[aid].item_index))
    assert host.workflows[exec_id].state == "SUCCESS"
    assert len(calls) <= 3  # publish/result, final context; never once per iteration
