"""Errors raised while finding, validating, instantiating or running actions.

Every message names the action (and the parameter, where one is at fault) so
that the person reading a task's state_info knows what to change.
"""

from __future__ import annotations


class ActionError(Exception):
    """An action failed on purpose; the counterpart of mistral-lib's ActionException.

    Raise it from ``run()`` when the action cannot do its work and has no error
    data worth returning (otherwise return ``Result(error=...)``).
    """


class ActionNotFound(LookupError):
    """No provider knows an action of this name."""

    def __init__(self, name: str, namespace: str = "", suggestions: tuple[str, ...] = ()) -> None:
        self.name = name
        self.namespace = namespace
        self.suggestions = suggestions
        where = f" in namespace '{namespace}'" if namespace else ""
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"Action '{name}' not found{where}. `levante action-list` shows the "
            f"actions this server knows.{hint}"
        )


class ActionLoadError(LookupError):
    """An action is declared by an installed package but its code failed to import."""

    def __init__(self, name: str, source: str, cause: BaseException) -> None:
        self.name = name
        self.source = source
        self.cause = cause
        super().__init__(
            f"Action '{name}' is declared by {source} but could not be loaded: "
            f"{type(cause).__name__}: {cause}. Check that the package providing it "
            f"is installed completely in the server's environment."
        )


class ActionInputError(ValueError):
    """The input given to an action does not fit its parameters."""

    def __init__(self, action_name: str, message: str, params_spec: str | None = None) -> None:
        self.action_name = action_name
        signature = f" Its input is: {params_spec or '(none)'}." if params_spec is not None else ""
        super().__init__(f"Action '{action_name}' {message}.{signature}")


class MissingActionInput(ActionInputError):
    """Required parameters were not given."""

    def __init__(self, action_name: str, missing: list[str], params_spec: str) -> None:
        self.missing = missing
        noun = "input" if len(missing) == 1 else "inputs"
        super().__init__(
            action_name, f"is missing required {noun}: {', '.join(missing)}", params_spec
        )


class UnexpectedActionInput(ActionInputError):
    """Parameters were given that the action does not accept."""

    def __init__(self, action_name: str, unexpected: list[str], params_spec: str) -> None:
        self.unexpected = unexpected
        noun = "input" if len(unexpected) == 1 else "inputs"
        super().__init__(
            action_name, f"got unexpected {noun}: {', '.join(unexpected)}", params_spec
        )


class InvalidActionInput(ActionInputError):
    """A parameter has a value the action cannot use (wrong type, out of range)."""

    def __init__(self, action_name: str, parameter: str | None, reason: str) -> None:
        self.parameter = parameter
        what = f"parameter '{parameter}'" if parameter else "its input"
        super().__init__(action_name, f"rejected {what}: {reason}")
