"""Shared fixtures: test actions that count how many run at once, and a harness."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from levante.actions import (
    Action,
    ActionError,
    ActionRegistry,
    AsyncAction,
    ClassActionProvider,
    Result,
)
from levante.actions.std import StdActionProvider
from levante.executor import Executor, ExecutorConfig, InMemoryWorkSource


@dataclass
class Probe:
    """Counts running actions; async actions wait on ``gate``, threads on ``thread_gate``."""

    running: int = 0
    peak: int = 0
    runs: int = 0
    contexts: list[Any] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    thread_gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.runs += 1
            self.running += 1
            self.peak = max(self.peak, self.running)

    def leave(self) -> None:
        with self.lock:
            self.running -= 1

    async def until_running(self, count: int) -> None:
        """Wait (bounded) until ``count`` actions run at the same time."""
        async with asyncio.timeout(10):
            while self.running < count:
                await asyncio.sleep(0.001)


def test_actions(probe: Probe) -> dict[str, type]:
    """Action classes bound to ``probe``."""

    class Gated(AsyncAction):
        """Waits for the probe's gate, then returns ``value``."""

        def __init__(self, value: Any = None) -> None:
            self.value = value

        async def run(self, context: Any) -> Any:
            probe.enter()
            probe.contexts.append(context)
            try:
                await probe.gate.wait()
            finally:
                probe.leave()
            return self.value

    class Blocking(Action):
        """Blocks its thread until the probe's thread gate opens."""

        def __init__(self, value: Any = None) -> None:
            self.value = value

        def run(self, context: Any) -> Any:
            probe.enter()
            probe.contexts.append(context)
            try:
                probe.thread_gate.wait(10)
            finally:
                probe.leave()
            return self.value

    class Boom(Action):
        """Raises in a thread."""

        def run(self, context: Any) -> Any:
            raise ValueError("disk full")

    class AsyncBoom(AsyncAction):
        async def run(self, context: Any) -> Any:
            raise ActionError("remote refused")

    class InlineBoom(Action):
        blocking = False

        def run(self, context: Any) -> Any:
            raise KeyError("missing")

    class OwnTimeout(AsyncAction):
        async def run(self, context: Any) -> Any:
            raise TimeoutError("socket read timed out")

    class Exits(Action):
        blocking = False

        def run(self, context: Any) -> Any:
            raise SystemExit(3)

    class SelfCancel(Action):
        blocking = False

        def run(self, context: Any) -> Any:
            return Result(data="partial", cancel=True)

    class AsyncGated(Gated):
        """Asynchronous action: its own result is ignored."""

        def is_sync(self) -> bool:
            return False

    class AsyncFailing(Action):
        blocking = False

        def run(self, context: Any) -> Any:
            return Result(error="could not start")

        def is_sync(self) -> bool:
            return False

    class Counted(Action):
        blocking = False

        def run(self, context: Any) -> Any:
            probe.enter()
            probe.leave()
            return probe.runs

    return {
        "test.gated": Gated,
        "test.blocking": Blocking,
        "test.boom": Boom,
        "test.async_boom": AsyncBoom,
        "test.inline_boom": InlineBoom,
        "test.own_timeout": OwnTimeout,
        "test.exits": Exits,
        "test.self_cancel": SelfCancel,
        "test.async_gated": AsyncGated,
        "test.async_failing": AsyncFailing,
        "test.counted": Counted,
    }


@pytest.fixture
def probe() -> Probe:
    """A fresh probe per test."""
    return Probe()


@pytest.fixture
def registry(probe: Probe) -> ActionRegistry:
    """std actions plus the probe-bound test actions."""
    return ActionRegistry([StdActionProvider(), ClassActionProvider("test", test_actions(probe))])


Harness = Callable[..., Any]


@pytest.fixture
def harness(registry: ActionRegistry) -> Harness:
    """``async with harness(**config) as (source, executor)``: a started executor."""

    @asynccontextmanager
    async def _harness(
        source: InMemoryWorkSource | None = None, **config: Any
    ) -> AsyncIterator[tuple[InMemoryWorkSource, Executor]]:
        source = source or InMemoryWorkSource()
        executor = Executor(source, registry, ExecutorConfig(**config))
        await executor.start()
        try:
            yield source, executor
        finally:
            await executor.stop(grace=5)

    return _harness
