"""What expression functions may read of a running execution.

The engine implements ``ExecutionView`` over persisted state; tests use plain
data. Every method returns JSON-like data (dicts, lists, str, numbers) shaped
as Mistral's functions return it.
"""

from __future__ import annotations

from typing import Any, Protocol


class ExecutionView(Protocol):
    """Read-only access to the execution an expression is evaluated in."""

    def execution(self) -> dict[str, Any]:
        """``execution()``: id, name, spec, input, params, state, created_at, ...."""
        ...

    def task(self, name: str | None = None) -> dict[str, Any] | None:
        """``task(name)``; ``task()`` is the current task. None if it has not run."""
        ...

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> list[dict[str, Any]]:
        """``tasks(...)``: task executions of an execution (default: the current one)."""
        ...

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> list[dict[str, Any]]:
        """``executions(...)``: workflow executions matching the filters."""
        ...

    def env(self) -> dict[str, Any]:
        """``env()``: the environment of the root execution."""
        ...

    def global_var(self, name: str, default: Any = None) -> Any:
        """``global(name)``: a variable published with ``publish: global:``."""
        ...
