"""What an action learns about where it runs: ``run(self, context)``.

The shape matches mistral-lib's ``ActionContext`` so that custom Mistral
actions reading ``context.execution.workflow_execution_id`` or
``context.security.auth_token`` run unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class SecurityContext:
    """Who the action acts for: the caller's authentication details."""

    auth_uri: str | None = None
    auth_cacert: str | None = None
    insecure: bool | None = None
    service_catalog: Any = None
    region_name: str | None = None
    is_trust_scoped: bool | None = None
    redelivered: bool | None = None
    expires_at: str | None = None
    trust_id: str | None = None
    is_target: bool | None = None
    project_id: str | None = None
    project_name: str | None = None
    user_name: str | None = None
    auth_token: str | None = None


@dataclass(slots=True)
class ExecutionContext:
    """Which workflow, task and action execution the action belongs to."""

    workflow_execution_id: str | None = None
    task_execution_id: str | None = None
    action_execution_id: str | None = None
    workflow_name: str | None = None
    callback_url: str | None = None
    with_items_index: int = 0
    task_rerun_no: int = 0
    task_rerun_id: str | None = None
    workflow_propagated_headers: dict[str, str] | None = None

    @property
    def task_id(self) -> str | None:
        """Deprecated alias of ``task_execution_id`` (kept for mistral-lib actions)."""
        warnings.warn(
            "context.execution.task_id is deprecated; use "
            "context.execution.task_execution_id",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.task_execution_id


# Attributes mistral-lib still answers on the context itself, with a warning,
# by reading them from the security context.
_DEPRECATED_SECURITY_ATTRS: frozenset[str] = frozenset(f.name for f in fields(SecurityContext))


@dataclass(slots=True)
class ActionContext:
    """The ``context`` argument of ``Action.run``: security and execution parts."""

    security: SecurityContext = field(default_factory=SecurityContext)
    execution: ExecutionContext = field(default_factory=ExecutionContext)

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found normally: mistral-lib's deprecated
        # shortcuts such as ``context.auth_token``.
        if name in _DEPRECATED_SECURITY_ATTRS:
            warnings.warn(
                f"context.{name} is deprecated; use context.security.{name}",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(self.security, name)
        raise AttributeError(f"ActionContext has no attribute '{name}'")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the work queue: ``{"security": {...}, "execution": {...}}``."""
        return {"security": asdict(self.security), "execution": asdict(self.execution)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ActionContext:
        """Rebuild a context from :meth:`to_dict` output; unknown keys are ignored."""
        data = data or {}
        execution = dict(data.get("execution") or {})
        # mistral-lib accepted the old name ``task_id`` for the task execution.
        if execution.get("task_execution_id") is None and "task_id" in execution:
            execution["task_execution_id"] = execution["task_id"]
        return cls(
            security=SecurityContext(**_known(SecurityContext, data.get("security"))),
            execution=ExecutionContext(**_known(ExecutionContext, execution)),
        )

    @classmethod
    def for_action_execution(
        cls,
        action_execution_id: str,
        *,
        workflow_execution_id: str | None = None,
        task_execution_id: str | None = None,
        workflow_name: str | None = None,
        with_items_index: int = 0,
        security: SecurityContext | None = None,
    ) -> ActionContext:
        """The context Mistral gives an action run by a task (callback URL included)."""
        return cls(
            security=security or SecurityContext(),
            execution=ExecutionContext(
                workflow_execution_id=workflow_execution_id,
                task_execution_id=task_execution_id,
                action_execution_id=action_execution_id,
                workflow_name=workflow_name,
                callback_url=f"/v2/action_executions/{action_execution_id}",
                with_items_index=with_items_index,
            ),
        )


def _known(kind: type, values: dict[str, Any] | None) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in (values or {}).items() if k in names}
