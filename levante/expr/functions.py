"""Mistral's expression functions, independent of the expression language.

The same functions are offered to YAQL (``<% task(x).result %>``) and Jinja
(``{{ task('x').result }}`` and, as filters, ``{{ _ | task('x') }}``).
Those reading execution state ask the ``ExecutionView`` of the evaluation
in progress; ``levante.expr.evaluate`` installs it for the duration of one
call (a context variable, so threads and asyncio tasks do not mix views).
"""

from __future__ import annotations

import collections.abc
import datetime
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import yaml

from levante.expr.view import ExecutionView

_current_view: ContextVar[ExecutionView | None] = ContextVar("levante_expr_view", default=None)


class NoExecutionError(Exception):
    """A function that reads execution state was used where there is none.

    Raised inside an evaluation, where it becomes the cause of an
    ``ExpressionEvaluationError``.
    """


@contextmanager
def using_view(view: ExecutionView | None) -> Iterator[None]:
    """Make ``view`` the execution the functions read during the block."""
    token = _current_view.set(view)
    try:
        yield
    finally:
        _current_view.reset(token)


def current_view() -> ExecutionView | None:
    """The view of the evaluation in progress in this thread or task, if any."""
    return _current_view.get()


def _view(function: str) -> ExecutionView:
    view = _current_view.get()
    if view is None:
        raise NoExecutionError(
            f"{function}() reads the workflow execution, but this expression is "
            "evaluated outside of one (no execution view was given)"
        )
    return view


def env() -> Any:
    """``env()``: the environment the root execution was started with."""
    return _view("env").env()


def execution() -> Any:
    """``execution()``: the current workflow execution (id, name, input, params, ...)."""
    return _view("execution").execution()


def executions(
    id: str | None = None,
    root_execution_id: str | None = None,
    state: str | None = None,
    from_time: str | None = None,
    to_time: str | None = None,
) -> Any:
    """``executions(...)``: workflow executions matching every given filter."""
    return _view("executions").executions(
        id=id,
        root_execution_id=root_execution_id,
        state=state,
        from_time=from_time,
        to_time=to_time,
    )


def global_(var_name: str) -> Any:
    """``global(name)``: a workflow-global variable, or null when it is not set."""
    return _view("global").global_var(var_name)


def task(task_name: str | None = None) -> Any:
    """``task(name)``: a task execution of the current workflow; ``task()`` is the current one."""
    return _view("task").task(task_name)


def tasks(
    workflow_execution_id: str | None = None,
    recursive: bool = False,
    state: str | None = None,
    flat: bool = False,
) -> Any:
    """``tasks(...)``: task executions, filtered as in Mistral."""
    return _view("tasks").tasks(
        workflow_execution_id=workflow_execution_id,
        recursive=bool(recursive),
        state=state,
        flat=bool(flat),
    )


def uuid_() -> str:
    """``uuid()``: a new random UUID as a string."""
    return str(uuid.uuid4())


def json_dump(data: Any) -> str:
    """``json_dump(x)``: ``x`` as JSON text indented by four spaces."""
    return json.dumps(data, indent=4, default=_json_default)


def json_parse(data: str) -> Any:
    """``json_parse(text)``: the value of a JSON document."""
    return json.loads(data)


def yaml_dump(data: Any) -> str:
    """``yaml_dump(x)``: ``x`` as block-style YAML text."""
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False)


def yaml_parse(data: str) -> Any:
    """``yaml_parse(text)``: the value of a YAML document.

    Anchors and aliases are read as plain text, as Mistral does, so a
    "billion laughs" document cannot expand.
    """
    return yaml.load(data, Loader=_NoAliasLoader)


def _json_default(value: Any) -> Any:
    if isinstance(value, collections.abc.Mapping):
        return dict(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, collections.abc.Iterable)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes any mapping or sequence, and never emits aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_multi_representer(
    collections.abc.Mapping, lambda dumper, data: dumper.represent_dict(dict(data))
)
_Dumper.add_representer(tuple, lambda dumper, data: dumper.represent_list(list(data)))
_Dumper.add_representer(frozenset, lambda dumper, data: dumper.represent_list(list(data)))


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader reading ``&anchor`` and ``*alias`` as plain scalars."""

    def fetch_alias(self) -> None:
        return self.fetch_plain()

    def fetch_anchor(self) -> None:
        return self.fetch_plain()

    def check_plain(self) -> bool:
        return self.peek() == "@" or super().check_plain()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "env": env,
    "execution": execution,
    "executions": executions,
    "global": global_,
    "json_dump": json_dump,
    "json_parse": json_parse,
    # json_pp is the name older Mistral releases used for json_dump.
    "json_pp": json_dump,
    "task": task,
    "tasks": tasks,
    "uuid": uuid_,
    "yaml_dump": yaml_dump,
    "yaml_parse": yaml_parse,
}
"""Every function name Mistral registers, mapped to its implementation."""

STATE_FUNCTIONS = frozenset({"env", "execution", "executions", "global", "task", "tasks"})
"""The functions that read the execution view."""
