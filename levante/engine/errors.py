"""Errors of the engine, with messages a user can act on."""

from __future__ import annotations


class EngineError(Exception):
    """Base of the engine's errors."""


class WorkflowInputError(EngineError):
    """A workflow was started with missing or unexpected input (refused at start)."""

    def __init__(self, workflow: str, missing: list[str], unexpected: list[str]) -> None:
        parts = []
        if missing:
            parts.append(f"missing required input: {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected input: {', '.join(unexpected)}")
        super().__init__(f"Invalid input for workflow '{workflow}': {'; '.join(parts)}")
        self.workflow = workflow
        self.missing = missing
        self.unexpected = unexpected


class WorkflowStartError(EngineError):
    """A workflow cannot start for a reason other than its input (e.g. a bad reverse target)."""


class OperationError(EngineError):
    """An operation (pause, rerun, ...) that the execution's state does not allow."""


class EvaluationFailed(EngineError):
    """Evaluating a field of the workflow text failed at run time; says which field."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__(f"{where}: {cause}")
        self.where = where
        self.cause = cause


class WorkflowNotFoundError(EngineError):
    """A workflow name that no definition has (refused at start; a sub-workflow task fails)."""
