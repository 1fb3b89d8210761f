"""Mistral's standard actions (``std.*``)."""

from __future__ import annotations

from levante.actions.registry import ClassActionProvider
from levante.actions.std.basic import (
    AsyncNoOpAction,
    EchoAction,
    FailAction,
    NoOpAction,
    SleepAction,
    TestDictAction,
)
from levante.actions.std.email import EmailAction
from levante.actions.std.http import HttpAction, MistralHttpAction
from levante.actions.std.http_transport import close_http_connections
from levante.actions.std.javascript import JavaScriptAction

#: The ``std`` actions by name. Later modules (http, email, ssh) add theirs here.
STD_ACTIONS: dict[str, type] = {
    "std.noop": NoOpAction,
    "std.async_noop": AsyncNoOpAction,
    "std.echo": EchoAction,
    "std.fail": FailAction,
    "std.sleep": SleepAction,
    "std.test_dict": TestDictAction,
    "std.javascript": JavaScriptAction,
    "std.js": JavaScriptAction,
    "std.http": HttpAction,
    "std.mistral_http": MistralHttpAction,
    "std.email": EmailAction,
}


class StdActionProvider(ClassActionProvider):
    """Serves the ``std.*`` actions."""

    def __init__(self) -> None:
        """Describe every class of :data:`STD_ACTIONS`."""
        super().__init__("std", STD_ACTIONS)

    async def aclose(self) -> None:
        """Close the pooled std.http connections of the running loop (executor stop)."""
        await close_http_connections()


__all__ = [
    "STD_ACTIONS",
    "AsyncNoOpAction",
    "EchoAction",
    "EmailAction",
    "FailAction",
    "HttpAction",
    "JavaScriptAction",
    "MistralHttpAction",
    "NoOpAction",
    "SleepAction",
    "StdActionProvider",
    "TestDictAction",
]
