"""Levante's action base classes, with mistral-lib's ``Action`` semantics.

An action class is constructed with its input as keyword arguments and does
its work in ``run(self, context)``, returning a plain value or a
:class:`~levante.actions.result.Result`. A class written for mistral-lib
(subclassing ``mistral_lib.actions.Action``) needs none of this: the executor
only relies on the same duck-typed shape.

How the executor calls ``run``:

* ``async def run`` (see :class:`AsyncAction`): awaited on the event loop, so
  ten thousand sleeping actions cost ten thousand small tasks, not threads;
* a plain ``def run`` on a class with ``blocking = False``: called directly on
  the event loop; only for actions that finish in microseconds;
* any other ``def run`` (the default, and every third-party action): called in
  the executor's bounded thread pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from levante.actions.context import ActionContext


class Action:
    """Base class of Levante's Python actions.

    Subclasses take their input as keyword arguments in ``__init__`` (the
    parameter names and defaults become the action's input signature) and
    implement :meth:`run`. The class docstring becomes the action's
    description in ``action-list``.
    """

    #: False when ``run`` never blocks and may run on the event loop itself.
    blocking: ClassVar[bool] = True

    def __init__(self) -> None:
        """Actions without parameters take no input."""

    def run(self, context: ActionContext) -> Any:
        """Do the work and return the result (a plain value or a ``Result``).

        Raise :class:`~levante.actions.errors.ActionError` (or any exception)
        to fail with a message; return ``Result(error=...)`` to fail with
        error data the workflow can read.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement run()")

    def is_sync(self) -> bool:
        """True when ``run`` returns the final result.

        False for asynchronous actions: whatever ``run`` returns (unless it is
        an error) is ignored and the result is delivered later through the
        API (``PUT /v2/action_executions/<id>``).
        """
        return True

    def test(self, context: ActionContext) -> Any:
        """A harmless dry run that returns a representative result."""
        return None


class AsyncAction(Action):
    """An action whose ``run`` is a coroutine, awaited on the executor's loop."""

    blocking: ClassVar[bool] = False

    async def run(self, context: ActionContext) -> Any:  # type: ignore[override]
        """Do the work without blocking the event loop and return the result."""
        raise NotImplementedError(f"{type(self).__name__} does not implement run()")
