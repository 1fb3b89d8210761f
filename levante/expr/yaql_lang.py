"""YAQL: parsing (cached) and evaluation with Mistral's engine options.

Mistral's defaults (``[yaql]`` in its config): input and output data
conversion on, tuples converted to lists, sets left as sets, dictionaries
not iterable, ``=>`` as the keyword-argument operator, delegates off.
Levante adds a memory quota and an iterator limit from ``Limits``.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import yaql
from yaql.language import exceptions as yaql_exc
from yaql.language import expressions as yaql_expressions
from yaql.language import factory, specs, yaqltypes
from yaql.language import utils as yaql_utils

from levante.expr import functions
from levante.expr.fastpath import FALLBACK, read_yaql, yaql_key_path
from levante.expr.guards import check_power
from levante.expr.limits import Limits, get_limits, on_limits_changed
from levante.expr.yaql_data import LazyFrozenDict, to_yaql

PARSE_CACHE_SIZE = 4096

# ply's parser keeps state on the engine; parse one expression at a time.
_parse_lock = threading.Lock()


def _engine_options(limits: Limits) -> dict[str, Any]:
    return {
        "yaql.limitIterators": limits.max_items,
        "yaql.memoryQuota": limits.max_value_bytes,
        "yaql.convertTuplesToLists": True,
        "yaql.convertSetsToLists": False,
        "yaql.iterableDicts": False,
        "yaql.convertOutputData": True,
        # We convert input ourselves, lazily (see yaql_data).
        "yaql.convertInputData": False,
    }


@specs.parameter("a", yaqltypes.Number())
@specs.parameter("b", yaqltypes.Number())
@specs.parameter("c", yaqltypes.Number(nullable=True))
def _bounded_pow(a: Any, b: Any, c: Any = None) -> Any:
    """yaql's ``pow``, refusing integer powers too big to compute quickly."""
    if c is None and isinstance(a, int) and isinstance(b, int):
        check_power(a, b)
    return pow(a, b, c)


def _root_context() -> Any:
    context = yaql.create_context()
    context.register_function(_bounded_pow, name="pow")
    for name, function in functions.FUNCTIONS.items():
        context.register_function(_accepting_both_spellings(function), name=name)
    return context


def _accepting_both_spellings(function: Callable[..., Any]) -> Callable[..., Any]:
    """Let keyword arguments be written ``root_execution_id`` or ``rootExecutionId``.

    yaql's naming convention makes Mistral accept only the camelCase form;
    the documentation shows the snake_case one. Levante takes both.
    """
    signature = inspect.signature(function)

    def call(*args: Any, **kwargs: Any) -> Any:
        named = {_snake_case(key): value for key, value in kwargs.items()}
        try:
            bound = signature.bind(*args, **named)
        except TypeError:
            raise yaql_exc.NoMatchingFunctionException(function.__name__.rstrip("_")) from None
        return function(*bound.args, **bound.kwargs)

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def _snake_case(name: str) -> str:
    return _CAMEL_HUMP.sub(lambda m: "_" + m.group(0).lower(), name)


_CAMEL_HUMP = re.compile(r"[A-Z]")


@functools.cache
def _shared_root_context() -> Any:
    return _root_context()


class _Runtime:
    """An engine built for one set of limits, with its parse cache."""

    def __init__(self, limits: Limits) -> None:
        self.engine = factory.YaqlFactory(keyword_operator="=>", allow_delegates=False).create(
            options=_engine_options(limits)
        )
        self.root = _shared_root_context()
        self.parse = functools.lru_cache(maxsize=PARSE_CACHE_SIZE)(self._parse)
        self.key_path = functools.lru_cache(maxsize=PARSE_CACHE_SIZE)(self._key_path)

    def _parse(self, text: str) -> yaql_expressions.Statement:
        with _parse_lock:
            return self.engine(text)

    def _key_path(self, text: str) -> tuple[str, ...] | None:
        return yaql_key_path(self.parse(text))


_runtimes: dict[Limits, _Runtime] = {}


def _runtime_for(limits: Limits) -> _Runtime:
    # Building an engine takes ~0.1 s (ply tables); keep one per limits seen.
    runtime = _runtimes.get(limits)
    if runtime is None:
        runtime = _runtimes[limits] = _Runtime(limits)
    return runtime


_runtime = _runtime_for(get_limits())


def _rebuild(limits: Limits) -> None:
    global _runtime
    _runtime = _runtime_for(limits)


on_limits_changed(_rebuild)

SYNTAX_ERRORS = (yaql_exc.YaqlException, KeyError, ValueError, TypeError)
"""What yaql raises for an expression it cannot parse (as Mistral catches them)."""


def parse(text: str) -> yaql_expressions.Statement:
    """Parse a YAQL expression (without ``<% %>``), cached by text."""
    return _runtime.parse(text.strip())


def syntax_error_position(error: BaseException) -> int | None:
    """The 0-based position inside the expression that yaql blames, if any."""
    position = getattr(error, "position", None)
    return position if isinstance(position, int) else None


def evaluate(text: str, data: Any) -> Any:
    """Evaluate a YAQL expression (without ``<% %>``) with ``data`` as ``$``."""
    runtime = _runtime
    text = text.strip()
    keys = runtime.key_path(text)
    if keys is not None:
        result = read_yaql(data, keys)
        if result is not FALLBACK:
            return result
    statement = runtime.parse(text)
    context = runtime.root.create_child_context()
    context["$"] = LazyFrozenDict(data) if isinstance(data, Mapping) else to_yaql(data)
    result = statement.evaluate(context=context)
    return _unbox(result)


def _unbox(result: Any) -> Any:
    # Output conversion already turned containers into plain ones; these are
    # the leftovers Mistral also unwraps.
    if isinstance(result, yaql_utils.FrozenDict):
        return dict(result._d)
    if inspect.isgenerator(result) or isinstance(result, collections.abc.Iterator):
        return list(result)
    return result
