"""Resource limits for expression evaluation.

Three limits, process-wide (``set_limits``) and overridable per call:

* ``timeout``: wall-clock seconds one ``evaluate()`` call may take. One
  watchdog thread keeps a registry of deadlines; when one passes, it raises
  ``EvaluationTimeout`` inside the evaluating thread
  (``PyThreadState_SetAsyncExc``). That interrupts Python-level loops; a single
  long C call (a huge integer power, say) is interrupted when it returns,
  which is why the size checks below refuse such operations up front.
* ``max_value_bytes``: the largest string or collection (shallow size) an
  expression may build: yaql's memory quota, and the Jinja sandbox's checks
  on ``*``, ``**``, ``+`` and width-taking string methods.
* ``max_items``: the most items an iterator may produce (yaql's iterator
  limit, Jinja's ``range``).

The per-evaluation cost is one dictionary insert and delete under an
uncontended lock; no thread is created per call.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How much time and memory one expression evaluation may use.

    ``timeout`` is in seconds (0 disables it); ``max_value_bytes`` bounds
    the size of any single value an expression builds; ``max_items`` bounds
    how many items an iterator or range may produce.
    """

    timeout: float = 10.0
    max_value_bytes: int = 64 * 1024 * 1024
    max_items: int = 1_000_000

    def __post_init__(self) -> None:
        if self.timeout < 0:
            raise ValueError("Limits.timeout must be >= 0 (0 means no timeout)")
        if self.max_value_bytes <= 0 or self.max_items <= 0:
            raise ValueError("Limits.max_value_bytes and Limits.max_items must be positive")


_limits = Limits()
_listeners: list[Callable[[Limits], None]] = []


def get_limits() -> Limits:
    """The process-wide limits currently in force."""
    return _limits


def set_limits(limits: Limits) -> Limits:
    """Replace the process-wide limits; returns the previous ones."""
    global _limits
    previous, _limits = _limits, limits
    for listener in _listeners:
        listener(limits)
    return previous


def on_limits_changed(listener: Callable[[Limits], None]) -> None:
    """Call ``listener`` whenever ``set_limits`` changes the limits."""
    _listeners.append(listener)


class EvaluationTimeout(BaseException):
    """Raised asynchronously in a thread whose evaluation passed its deadline.

    A BaseException so that ``except Exception`` blocks inside yaql or
    Jinja do not swallow it; ``levante.expr`` turns it into
    ``ExpressionLimitError``.
    """


def _interrupt(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(EvaluationTimeout)
    )


def _cancel_interrupt(thread_id: int) -> None:
    # A NULL exception clears one that is pending but not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


class _Watchdog:
    """One daemon thread that interrupts evaluations past their deadline."""

    _TICK = 0.02
    _IDLE_TICKS_BEFORE_EXIT = 250

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # token -> [deadline, thread id, fired]
        self._active: dict[int, list[float | int | bool]] = {}
        self._next_token = 0
        self._thread: threading.Thread | None = None

    def register(self, seconds: float) -> int:
        """Start watching the calling thread; returns a token for ``unregister``."""
        with self._lock:
            self._next_token += 1
            token = self._next_token
            self._active[token] = [time.monotonic() + seconds, threading.get_ident(), False]
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="levante-expr-watchdog", daemon=True
                )
                self._thread.start()
        return token

    def unregister(self, token: int) -> None:
        """Stop watching; cancels an interruption that fired but was not yet delivered."""
        with self._lock:
            entry = self._active.pop(token, None)
        if entry is not None and entry[2]:
            _cancel_interrupt(threading.get_ident())

    def _run(self) -> None:
        idle = 0
        while True:
            time.sleep(self._TICK)
            now = time.monotonic()
            with self._lock:
                if not self._active:
                    idle += 1
                    if idle >= self._IDLE_TICKS_BEFORE_EXIT:
                        self._thread = None
                        return
                    continue
                idle = 0
                for entry in self._active.values():
                    if not entry[2] and now >= entry[0]:
                        entry[2] = True
                        _interrupt(int(entry[1]))


_watchdog = _Watchdog()


def run_with_deadline(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work()``, raising ``EvaluationTimeout`` if it takes over ``seconds``.

    ``seconds <= 0`` runs it unwatched.
    """
    if seconds <= 0:
        return work()
    token = _watchdog.register(seconds)
    try:
        try:
            return work()
        finally:
            _watchdog.unregister(token)
    except EvaluationTimeout:
        # The interruption may land inside the finally above; make sure the
        # entry is gone before reporting it.
        _watchdog.unregister(token)
        raise
