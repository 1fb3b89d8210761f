"""The small ``std`` actions: noop, async_noop, echo, fail, sleep, test_dict.

Parameters, defaults and results are Mistral's. Where Mistral would crash
with a bare ``TypeError`` on a value of the wrong type, these actions refuse
it with a message naming the parameter.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from levante.actions.base import Action, AsyncAction
from levante.actions.errors import ActionError, InvalidActionInput
from levante.actions.result import Result

if TYPE_CHECKING:
    from levante.actions.context import ActionContext

#: The sleep the waiting actions use; a seam for tests to count sleepers.
sleep = asyncio.sleep


class NoOpAction(Action):
    """Does nothing and returns null. Useful as a placeholder task."""

    blocking: ClassVar[bool] = False

    def run(self, context: ActionContext) -> None:
        """Return null."""
        return None


class AsyncNoOpAction(NoOpAction):
    """Asynchronous no-op: stays RUNNING until its result is set through the API."""

    def is_sync(self) -> bool:
        """Always asynchronous."""
        return False


class EchoAction(AsyncAction):
    """Returns ``output`` as the result, after ``delay`` seconds (default 0).

    A delay that is negative or not a number counts as 0, as in Mistral.
    """

    def __init__(self, output: Any, delay: float = 0) -> None:
        """Keep the value to return and the delay in seconds."""
        self.output = output
        self.delay = _non_negative("std.echo", "delay", delay, float)

    async def run(self, context: ActionContext) -> Any:
        """Wait ``delay`` seconds without holding a thread, then return ``output``."""
        if self.delay:
            await sleep(self.delay)
        return self.output

    def test(self, context: ActionContext) -> str:
        """Dry run result, as Mistral's."""
        return "Echo"


class FailAction(Action):
    """Always fails.

    With ``error_data``, the action fails with that data as its result (which
    ``on-error`` conditions can read); without it, it fails with the message
    "Fail action expected exception.".
    """

    blocking: ClassVar[bool] = False

    def __init__(self, error_data: Any = None) -> None:
        """Keep the error data (may be None)."""
        self.error_data = error_data

    def run(self, context: ActionContext) -> Result:
        """Fail."""
        if self.error_data:
            return Result(error=self.error_data)
        raise ActionError("Fail action expected exception.")

    def test(self, context: ActionContext) -> Result | None:
        """Dry run: the error data, if any."""
        return Result(error=self.error_data) if self.error_data else None


class SleepAction(AsyncAction):
    """Sleeps ``seconds`` (whole seconds, default 1) and returns null.

    Like Mistral, a fraction is truncated and a negative or non-numeric value
    counts as 0.
    """

    def __init__(self, seconds: int = 1) -> None:
        """Keep the number of whole seconds to sleep."""
        self.seconds = _non_negative("std.sleep", "seconds", seconds, _whole_seconds)

    async def run(self, context: ActionContext) -> None:
        """Sleep without holding a thread."""
        if self.seconds:
            await sleep(self.seconds)
        return None

    def test(self, context: ActionContext) -> None:
        """Dry run: returns at once."""
        return None


class TestDictAction(Action):
    """Returns a dict of ``size`` entries ``{key_prefix}{i}: val`` (i from 0)."""

    __test__ = False  # not a pytest test class, despite the name
    blocking: ClassVar[bool] = False

    def __init__(self, size: int = 0, key_prefix: str = "", val: Any = "") -> None:
        """Keep the size, key prefix and value."""
        try:
            self.size = int(size)
        except (TypeError, ValueError) as exc:
            raise InvalidActionInput(
                "std.test_dict", "size", f"expected a whole number, got {size!r}"
            ) from exc
        self.key_prefix = key_prefix
        self.val = val

    def run(self, context: ActionContext) -> dict[str, Any]:
        """Build the dict."""
        return {f"{self.key_prefix}{i}": self.val for i in range(self.size)}

    def test(self, context: ActionContext) -> dict[str, Any]:
        """Dry run: an empty dict."""
        return {}


def _whole_seconds(value: Any) -> int:
    if isinstance(value, str):
        # Mistral's int("1.5") fails and sleeps 0; accepting it is kinder.
        return int(float(value))
    return int(value)


def _non_negative(action: str, parameter: str, value: Any, convert: Any) -> Any:
    if value is None or isinstance(value, dict | list | bool):
        raise InvalidActionInput(action, parameter, f"expected a number, got {value!r}")
    try:
        number = convert(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if number > 0 else 0
