"""Run a rehearsal fixture: a workflow, mocked action results, and what must come out.

The runner drives a *host* (:class:`MemoryRehearsalHost` here; the database
runtime's host lives in tests/integration/engine) through the same steps and
checks the same expectations, so both must give the same outcomes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Protocol

import yaml

from levante.engine import events as ev
from levante.engine.adhoc import CONTEXT_KEY as ADHOC_KEY
from levante.engine.adhoc import AdhocAction
from levante.engine.memory import MemoryHost
from levante.engine.records import ActionExecution, ItemResult, TaskExecution, WorkflowExecution
from levante.engine.states import ActionState, workflow_final
from levante.lang import parse_workbook, parse_workflows, spec_dict
from levante.lang.spec import WorkflowSpec

FIXTURES = Path(__file__).parent / "rehearsals"


class RehearsalHost(Protocol):
    """What the runner needs from a host."""

    def start(self, name: str, input: dict[str, Any] | None,
              params: dict[str, Any] | None) -> str: ...
    def next_action(self, lifo: bool) -> ActionExecution | None: ...
    def send(self, event: ev.Event) -> None: ...
    def fire_next_timer(self) -> bool: ...
    def workflow(self, execution_id: str) -> WorkflowExecution: ...
    def task(self, task_id: str) -> TaskExecution: ...
    def action(self, action_id: str) -> ActionExecution: ...
    def tasks_of(self, execution_id: str) -> list[TaskExecution]: ...
    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None: ...
    def results_of(self, task_id: str) -> list[ItemResult]: ...
    def action_counts(self) -> Counter[str]: ...
    def executions_of(self, workflow_name: str) -> list[str]: ...
    def states_seen(self) -> set[tuple[str, str]]: ...


def definitions(data: dict[str, Any]) -> dict[str, WorkflowSpec]:
    """The workflows a fixture defines, by stored name.

    ``workflow`` is a workflows file; ``workbook`` a workbook whose workflows
    are stored as ``<workbook>.<name>`` (as the API stores them). A fixture
    may have both.
    """
    found: dict[str, WorkflowSpec] = {}
    if data.get("workflow"):
        found.update(parse_workflows(data["workflow"]).workflows)
    if data.get("workbook"):
        book = parse_workbook(data["workbook"])
        found.update({f"{book.name}.{short}": spec for short, spec in book.workflows.items()})
    return found


def adhoc_actions(data: dict[str, Any]) -> dict[str, AdhocAction]:
    """The ad-hoc actions of a fixture's workbook, stored as ``<workbook>.<name>``."""
    if not data.get("workbook"):
        return {}
    book = parse_workbook(data["workbook"])
    return {f"{book.name}.{short}": AdhocAction.from_spec(f"{book.name}.{short}",
                                                          spec_dict(action), book.name)
            for short, action in book.actions.items()}


class MemoryRehearsalHost:
    """The in-memory reference host."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.specs = definitions(data)
        self.host = MemoryHost(self.specs, adhoc_actions=adhoc_actions(data))

    def start(self, name: str, input: dict[str, Any] | None,
              params: dict[str, Any] | None) -> str:
        return self.host.start(name, input, params)

    def next_action(self, lifo: bool) -> ActionExecution | None:
        h = self.host
        while True:
            h.drain()
            if not h.queue:
                return None
            aid = h.queue.pop() if lifo else h.queue.popleft()
            if h.actions[aid].state == ActionState.RUNNING:
                return h.actions[aid]

    def send(self, event: ev.Event) -> None:
        self.host.handle(event)
        self.host.drain()

    def fire_next_timer(self) -> bool:
        fired = self.host.fire_next_timer()
        self.host.drain()
        return fired

    def workflow(self, execution_id: str) -> WorkflowExecution:
        return self.host.workflows[execution_id]

    def task(self, task_id: str) -> TaskExecution:
        return self.host.tasks[task_id]

    def action(self, action_id: str) -> ActionExecution:
        return self.host.actions[action_id]

    def tasks_of(self, execution_id: str) -> list[TaskExecution]:
        return self.host.tasks_of(execution_id)

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        return self.host.latest_task(execution_id, name)

    def results_of(self, task_id: str) -> list[ItemResult]:
        return self.host.results_of(task_id)

    def executions_of(self, workflow_name: str) -> list[str]:
        return [wf.id for wf in self.host.workflows.values()
                if wf.workflow_name == workflow_name]

    def action_counts(self) -> Counter[str]:
        h = self.host
        return Counter(h.tasks[a.task_execution_id].name for a in h.actions.values())

    def states_seen(self) -> set[tuple[str, str]]:
        h = self.host
        return {(h.tasks[c.task_execution_id].name, c.changes["state"])
                for _, cmds in h.log for c in cmds
                if type(c).__name__ == "UpdateTask" and "state" in c.changes}


class Rehearsal:
    """One fixture, run in memory."""

    def __init__(self, data: dict[str, Any], host: RehearsalHost | None = None) -> None:
        self.data = data
        self.specs = definitions(data)
        self.host: RehearsalHost = host or MemoryRehearsalHost(data)
        self.mocks: dict[str, Any] = dict(data.get("actions") or {})
        self.runs: Counter[str] = Counter()
        self.held: list[str] = []
        self.lifo = data.get("finish_order") == "reverse"

    def start(self) -> str:
        name = self.data.get("start") or next(iter(self.specs))
        self.exec_id = self.host.start(name, self.data.get("input"), self.data.get("params"))
        return self.exec_id

    def settle(self) -> None:
        h = self.host
        while True:
            action = h.next_action(self.lifo)
            if action is not None:
                outcome = self._outcome(action)
                if outcome is None:
                    self.held.append(action.id)
                    continue
                h.send(ev.ActionFinished(action.id, *outcome))
            elif self.data.get("manual_timers") or not h.fire_next_timer():
                return

    def _outcome(self, action: ActionExecution) -> tuple[str, Any] | None:
        task = self.host.task(action.task_execution_id)
        wf = self.host.workflow(task.workflow_execution_id)
        key = f"{wf.workflow_name}.{task.name}"
        mock = self.mocks.get(key, self.mocks.get(task.name))
        n = self.runs[key]
        self.runs[key] += 1
        per_item = isinstance(mock, dict) and "items" in mock
        if per_item:
            mock = mock["items"][action.item_index]
        if isinstance(mock, list):
            mock = mock[min(action.attempt if per_item else n, len(mock) - 1)]
        if mock is None:
            return self._default(action)
        if mock.get("async"):
            return None
        if "error" in mock:
            return ActionState.ERROR.value, mock["error"]
        if mock.get("cancel"):
            return ActionState.CANCELLED.value, None
        return ActionState.SUCCESS.value, mock.get("result")

    def _default(self, action: ActionExecution) -> tuple[str, Any]:
        # like the executor: an ad-hoc action runs its base action with the base input
        adhoc = action.runtime_context.get(ADHOC_KEY)
        name, given = ((adhoc["base"], adhoc["base_input"]) if adhoc
                       else (action.name, action.input))
        if name == "std.echo":
            return ActionState.SUCCESS.value, given.get("output")
        if name == "std.fail":
            return ActionState.ERROR.value, given.get(
                "error_data", "Fail action expected exception."
            )
        return ActionState.SUCCESS.value, None

    def do(self, op: dict[str, Any]) -> None:
        ((name, args),) = op.items()
        args = args or {}
        wf_id = self.exec_id
        if "in" in args:  # the latest execution of that (sub-)workflow
            wf_id = self.host.executions_of(args["in"])[-1]
        if name == "pause":
            self.host.send(ev.PauseWorkflow(wf_id, args.get("msg")))
        elif name == "resume":
            self.host.send(ev.ResumeWorkflow(wf_id, args.get("env")))
        elif name == "cancel":
            self.host.send(ev.CancelWorkflow(wf_id, args.get("msg")))
        elif name == "fail":
            self.host.send(ev.FailWorkflow(wf_id, args.get("msg")))
        elif name == "rerun":
            task = self.host.latest_task(wf_id, args["task"])
            assert task is not None
            self.host.send(ev.RerunTask(task.id, args.get("reset", True), args.get("env")))
        elif name == "skip":
            task = self.host.latest_task(wf_id, args["task"])
            assert task is not None
            self.host.send(ev.SkipTask(task.id, args.get("env")))
        elif name == "fire_timers":
            while self.host.fire_next_timer():
                pass
        elif name == "complete_action":
            aid = self._held(args["task"])
            self.held.remove(aid)
            self.host.send(
                ev.ActionFinished(aid, args.get("state", "SUCCESS"), args.get("result"))
            )
        elif name == "cancel_action":
            aid = self._held(args["task"])
            self.held.remove(aid)
            self.host.send(ev.ActionFinished(aid, "CANCELLED", None))
        else:
            raise AssertionError(f"unknown operation {name}")

    def _held(self, task_name: str) -> str:
        h = self.host
        aid = next(a for a in self.held
                   if h.task(h.action(a).task_execution_id).name == task_name)
        return aid

    # checking ------------------------------------------------------------
    def check(self, expect: dict[str, Any]) -> None:
        h = self.host
        wf = h.workflow(self.exec_id)
        tasks = h.tasks_of(self.exec_id)
        if "state" in expect:
            assert wf.state == expect["state"], f"workflow {wf.state}: {wf.state_info}"
        if "state_info" in expect:
            want = expect["state_info"]
            if want is None:
                assert wf.state_info is None, wf.state_info
            else:
                assert wf.state_info and want in wf.state_info, wf.state_info
        if "output" in expect:
            assert wf.output == expect["output"]
        if "output_has" in expect:
            for k, v in expect["output_has"].items():
                assert wf.output.get(k) == v, wf.output
        if "output_result_contains" in expect:
            assert expect["output_result_contains"] in str(wf.output.get("result"))
        if "published_global" in expect:
            assert wf.published_global == expect["published_global"]
        for name, states in (expect.get("executions") or {}).items():
            got = [h.workflow(i).state for i in h.executions_of(name)]
            assert got == states, (name, got)
        if "tasks" in expect:
            actual = [{t.name: t.state} for t in tasks]
            assert actual == expect["tasks"], actual
        by_name = {t.name: t for t in tasks}
        for name, pub in (expect.get("published") or {}).items():
            assert by_name[name].published == pub, by_name[name].published
        for name, want in (expect.get("results") or {}).items():
            got = [r.result for r in h.results_of(by_name[name].id)]
            spec = self.specs[wf.workflow_name].task(name)
            if spec.with_items is None:
                got = got[0] if len(got) == 1 else (got or None)
            assert got == want, got
        for name, want in (expect.get("iteration_items") or {}).items():
            # each iteration's execution names its index and item in its runtime_context
            got = []
            for r in h.results_of(by_name[name].id):
                spec = self.specs[wf.workflow_name].task(name)
                source = (h.workflow(r.source_id) if spec.workflow is not None
                          else h.action(r.source_id))
                assert source.runtime_context.get("index") == r.item_index, source
                got.append(source.runtime_context.get("item"))
            assert got == want, got
        for name, want in (expect.get("adhoc_runs") or {}).items():
            # the action row keeps the ad-hoc name and given input; the base runs
            action = h.action(h.results_of(by_name[name].id)[0].source_id)
            got = {"name": action.name, "input": action.input,
                   **{k: v for k, v in action.runtime_context[ADHOC_KEY].items()
                      if k != "output"}}
            assert got == want, got
        for name, text in (expect.get("task_state_info") or {}).items():
            info = by_name[name].state_info
            assert info is not None and text in info, info
        counts = h.action_counts() if expect.get("action_count") else Counter()
        for name, n in (expect.get("action_count") or {}).items():
            assert counts[name] == n, counts[name]
        if expect.get("final") is not None:
            assert workflow_final(wf.state) == expect["final"]
        if "task_states_seen" in expect:
            seen = h.states_seen()
            for name, state in (next(iter(d.items())) for d in expect["task_states_seen"]):
                assert (name, state) in seen, sorted(seen)


def load(path: Path) -> list[dict[str, Any]]:
    """The rehearsals of one fixture file (a document or a list of them)."""
    data = yaml.safe_load(path.read_text())
    return data if isinstance(data, list) else [data]


def run(data: dict[str, Any], host: RehearsalHost | None = None) -> Rehearsal:
    """Run a rehearsal through all its stages on ``host`` (default: in memory)."""
    r = Rehearsal(data, host)
    if "start_error" in data:
        try:
            r.start()
        except Exception as exc:  # the start must be refused with a clear message
            assert data["start_error"] in str(exc), str(exc)
            return r
        raise AssertionError("the start was not refused")
    r.start()
    r.settle()
    r.check(data.get("expect") or {})
    for stage in data.get("stages") or []:
        if "actions" in stage:
            r.mocks.update(stage["actions"])
        if "refused" in stage:  # the operation must be refused with this message
            try:
                r.do(stage["do"])
            except Exception as exc:
                assert stage["refused"] in str(exc), str(exc)
            else:
                raise AssertionError(f"{stage['do']} was not refused")
        else:
            r.do(stage["do"])
        r.settle()
        r.check(stage.get("expect") or {})
    return r
