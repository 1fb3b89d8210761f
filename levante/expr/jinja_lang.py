"""Jinja2: a sandboxed environment configured as Mistral's, with size guards.

As in Mistral: ``StrictUndefined`` (a missing name or key is an error),
``trim_blocks`` and ``lstrip_blocks``, the data context as ``_``, and
Mistral's functions available both as globals (``task('x')``) and as
filters (``_ | task('x')``). A string that is one ``{{ ... }}`` is
evaluated as an expression and keeps its Python type; anything else is
rendered as a template. Compiled expressions and templates are cached by
text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2.lexer import TOKEN_EOF
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment

from levante.expr import functions
from levante.expr.fastpath import FALLBACK, jinja_key_path, read_jinja
from levante.expr.guards import (
    SizeLimitExceeded,
    check_format_widths,
    check_power,
    check_size,
)
from levante.expr.limits import get_limits

COMPILE_CACHE_SIZE = 4096


def _seq_bytes(value: Any) -> int:
    return len(value) if isinstance(value, str) else 8 * len(value)


_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class _Sandbox(SandboxedEnvironment):
    """Mistral's sandbox, refusing operations that would build huge values."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.globals["range"] = _bounded_range

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        """Check the size of ``*``, ``**``, ``+`` and ``%`` results before computing them."""
        sized = (str, list, tuple)
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, sized) and isinstance(times, int):
                    check_size(_seq_bytes(seq) * max(times, 0), "a repeated sequence")
        elif operator_ == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                check_power(left, right)
        elif operator_ == "+":
            if isinstance(left, sized) and isinstance(right, sized):
                check_size(_seq_bytes(left) + _seq_bytes(right), "a concatenation")
        elif operator_ == "%" and isinstance(left, str):
            check_format_widths(left)
        return self.binop_table[operator_](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Check width-taking string methods before calling them."""
        # The sandbox hands out str.format wrapped; look through the wrapper.
        target = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            name = getattr(target, "__name__", "")
            if name in _WIDTH_METHODS:
                for arg in (*args, *kwargs.values()):
                    if isinstance(arg, int):
                        check_size(arg, f"str.{name}()")
            elif name == "format":
                check_format_widths(owner)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)


def _bounded_range(*args: int) -> range:
    values = range(*args)
    limit = get_limits().max_items
    if len(values) > limit:
        raise SizeLimitExceeded(f"range() of {len(values)} items is over the limit of {limit}")
    return values


def _as_filter(function: Callable[..., Any], data_argument: bool) -> Callable[..., Any]:
    """Adapt a Mistral function to filter use.

    Mistral passes the filtered value as its (ignored) context argument:
    ``_ | task('x')`` is ``task('x')``, ``_ | json_dump(v)`` dumps ``v``.
    Levante also accepts the natural form ``v | json_dump`` for the
    functions that take data.
    """

    @functools.wraps(function)
    def filter_(value: Any, *args: Any, **kwargs: Any) -> Any:
        if data_argument and not args and not kwargs:
            return function(value)
        return function(*args, **kwargs)

    return filter_


def _guard_filter(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name == "center":
            for arg in (*args[1:], *kwargs.values()):
                if isinstance(arg, int):
                    check_size(arg, "the center filter")
        elif name == "indent":
            width = args[1] if len(args) > 1 else kwargs.get("width", 4)
            text = str(args[0]) if args else ""
            if isinstance(width, int):
                check_size(width * (text.count("\n") + 1) + len(text), "the indent filter")
        elif name == "format" and args and isinstance(args[0], str):
            check_format_widths(args[0])
        elif name == "replace" and len(args) >= 3 and isinstance(args[0], str):
            old, new = str(args[1]), str(args[2])
            if old:
                check_size(len(args[0]) + args[0].count(old) * len(new), "the replace filter")
        result = original(*args, **kwargs)
        if isinstance(result, str):
            check_size(len(result), f"the {name} filter's result")
        return result

    return guarded


_DATA_FUNCTIONS = frozenset({"json_dump", "json_pp", "json_parse", "yaml_dump", "yaml_parse"})


def _build_environment() -> _Sandbox:
    env = _Sandbox()
    for name in ("center", "indent", "format", "replace", "join", "wordwrap"):
        env.filters[name] = _guard_filter(env.filters[name], name)
    for name, function in functions.FUNCTIONS.items():
        env.globals[name] = function
        env.filters[name] = _as_filter(function, name in _DATA_FUNCTIONS)
    return env


ENVIRONMENT = _build_environment()
"""The one sandboxed environment every Jinja expression runs in."""


class _DataContext(Mapping[str, Any]):
    """Shows a non-dict Mapping (e.g. a ChainMap) to Jinja without its own
    attributes, so ``_.maps`` or ``_.parents`` read keys, not ChainMap
    internals."""

    __slots__ = ("_source",)

    def __init__(self, source: Mapping[str, Any]) -> None:
        self._source = source

    def __getitem__(self, key: str) -> Any:
        return self._source[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)

    def __contains__(self, key: object) -> bool:
        return key in self._source


def _wrap(data: Any) -> Any:
    if isinstance(data, Mapping) and not isinstance(data, dict):
        return _DataContext(data)
    return data


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_expression(body: str) -> jinja2.environment.TemplateExpression:
    """Compile the inside of one ``{{ ... }}``, cached by text."""
    return ENVIRONMENT.compile_expression(body, undefined_to_none=False)


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_template(text: str) -> jinja2.Template:
    """Compile a whole string as a template, cached by text."""
    return ENVIRONMENT.from_string(text)


def evaluate_expression(body: str, data: Any) -> Any:
    """Evaluate the inside of one ``{{ ... }}``; the result keeps its type."""
    shown = _wrap(data)
    keys = _key_path(body)
    result = FALLBACK if keys is None else read_jinja(shown, keys)
    if result is FALLBACK:
        result = compile_expression(body)(_=shown)
        # StrictUndefined raises only when used; using it as a string is the
        # simplest way to surface a missing name or key (as Mistral does).
        if isinstance(result, jinja2.Undefined):
            str(result)
        _refuse_undefined_items(result)
    if isinstance(result, _DataContext):
        return dict(result)
    return result


def _refuse_undefined_items(result: Any) -> None:
    """A list or dict built with a missing value (``[_.missing]``) is an error
    now rather than an unserialisable value later."""
    if isinstance(result, (list, tuple)):
        items: Any = result
    elif isinstance(result, dict):
        items = result.values()
    else:
        return
    for item in items:
        if isinstance(item, jinja2.Undefined):
            str(item)


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _key_path(body: str) -> tuple[str, ...] | None:
    return jinja_key_path(body)


def render(text: str, data: Any) -> str:
    """Render ``text`` as a template with ``data`` as ``_``."""
    result = compile_template(text).render(_=_wrap(data))
    check_size(len(result), "the rendered text")
    return result


def check_template(text: str) -> None:
    """Parse ``text`` as a template; raises ``jinja2.TemplateSyntaxError``."""
    ENVIRONMENT.parse(text)


def check_expression(body: str) -> None:
    """Parse the inside of one ``{{ ... }}`` as an expression."""
    parser = Parser(ENVIRONMENT, body, state="variable")
    parser.parse_expression()
    if parser.stream.current.type != TOKEN_EOF:
        token = parser.stream.current
        raise jinja2.TemplateSyntaxError(
            f"unexpected {token.value!r} after the expression", token.lineno
        )
