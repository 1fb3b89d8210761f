"""Loading YAML text into plain values while remembering where each value was written.

Mistral reads YAML in a dialect where anchors and aliases do not exist: ``&x``
and ``*x`` (and ``@``) start ordinary plain strings (so ``pattern: * * * * *``
is a string). Levante reads the same dialect, which also makes alias bombs
impossible by construction. The fast path uses libyaml's event parser; a
document where libyaml meets ``&``, ``*`` or ``@`` at the start of a token is
re-read by PyYAML's Python scanner with Mistral's rules.

Values are built iteratively from parser events (no recursion), so nesting
depth, node count and size are checked before anything can blow up. The
result is plain Python data (dict / list / str / int / float / bool / None)
plus a ``SourceMap`` that gives the line and column of every key and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from levante.lang.errors import LangError, ValidationError
from levante.lang.sourcemap import Mark, SourceMap
from levante.lang.spec import Location
from levante.lang.syntaxhints import yaml_error_to_lang_error

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_KNOWN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_KNOWN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that make hostile documents fail fast instead of exhausting the process."""

    max_chars: int = 4 * 1024 * 1024
    """Refuse documents longer than this many characters (4 Mi; a document that needs
    the pure-Python dialect path reads at about 0.3 MB/s, so this bounds it to ~15 s)."""
    max_depth: int = 100
    """Refuse mappings / lists nested deeper than this."""
    max_nodes: int = 2_000_000
    """Refuse documents with more keys, values and items than this."""


DEFAULT_LIMITS = YamlLimits()


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed document: its root value and where everything in it was written."""

    root: Any
    source: SourceMap


class _NeedsMistralDialect(Exception):
    """libyaml met an anchor or alias: re-read the text with Mistral's rules."""


class _MistralDialectLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python parser where ``&``, ``*`` and ``@`` start plain scalars."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)

    def fetch_alias(self) -> None:
        self.fetch_plain()

    def fetch_anchor(self) -> None:
        self.fetch_plain()

    def check_plain(self) -> bool:
        return self.peek() == "@" or super().check_plain()


class _Frame:
    """A mapping or list under construction."""

    __slots__ = ("container", "is_map", "key", "key_mark", "keys", "mark", "values")

    def __init__(self, container: dict | list, mark: Mark) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.mark = mark
        self.keys: dict[Any, Mark] | None = {} if self.is_map else None
        self.values: dict[Any, Mark] | list[Mark] = {} if self.is_map else []
        self.key: Any = _NO_KEY
        self.key_mark: Mark | None = None


_NO_KEY = object()


class _Builder:
    """Turns a stream of parser events into plain values and a source map."""

    def __init__(self, text: str, file: str | None, limits: YamlLimits, strict: bool) -> None:
        self.text = text
        self.file = file
        self.limits = limits
        self.strict = strict  # True on the libyaml path: anchors/aliases mean "re-read"
        self.source = SourceMap(file, text)
        self.errors: list[LangError] = []
        self.nodes = 0
        self.resolver = Resolver()
        self.constructor = SafeConstructor()

    def build(self, next_event: Any) -> Any:
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        max_depth = self.limits.max_depth
        max_nodes = self.limits.max_nodes
        while True:
            event = next_event()
            if event is None or isinstance(event, ev.StreamEndEvent):
                break
            cls = type(event)
            if cls is ev.ScalarEvent:
                value = self._scalar(event)
                mark = (event.start_mark.line, event.start_mark.column, event.style or None)
            elif cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
                self._check_node_props(event)
                if len(stack) >= max_depth:
                    self._fail(event, f"the document nests deeper than {max_depth} levels")
                container: dict | list = {} if cls is ev.MappingStartEvent else []
                mark = (event.start_mark.line, event.start_mark.column, None)
                stack.append(_Frame(container, mark))
                self.nodes += 1
                continue
            elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                mark = frame.mark
                self.source.record(value, mark, frame.keys, frame.values)
            elif cls is ev.AliasEvent:
                if self.strict:
                    raise _NeedsMistralDialect
                self._fail(event, "aliases are not supported")  # pragma: no cover
            elif cls is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._fail(event, "expected a single document, found a second one")
                continue
            else:
                continue
            self.nodes += 1
            if self.nodes > max_nodes:
                self._fail(event, f"the document has more than {max_nodes} values")
            if not stack:
                root = value
                continue
            self._attach(stack[-1], value, mark)
        return root

    def _attach(self, frame: _Frame, value: Any, mark: Mark) -> None:
        if not frame.is_map:
            frame.container.append(value)  # type: ignore[union-attr]
            frame.values.append(mark)  # type: ignore[union-attr]
            return
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                self.errors.append(
                    LangError(
                        "a key must be a plain value, not a mapping or a list",
                        self.source.location(mark),
                    )
                )
                value = f"<complex key at line {mark[0] + 1}>"
            frame.key = value
            frame.key_mark = mark
            return
        key, key_mark = frame.key, frame.key_mark
        frame.key = _NO_KEY
        mapping: dict = frame.container  # type: ignore[assignment]
        assert frame.keys is not None and key_mark is not None
        if key == "<<" and key_mark[2] is None and self._is_merge(key):
            self._merge(frame, value, mark)
            return
        if key in mapping:
            first = frame.keys[key]
            self.errors.append(
                LangError(
                    f"duplicate key {key!r}: it was already defined at line {first[0] + 1}; "
                    "YAML would silently keep only the last one",
                    self.source.location(key_mark),
                )
            )
            return
        mapping[key] = value
        frame.keys[key] = key_mark
        frame.values[key] = mark  # type: ignore[index]

    def _is_merge(self, key: str) -> bool:
        return self.resolver.resolve(ScalarNode, key, (True, False)) == _MERGE

    def _merge(self, frame: _Frame, value: Any, mark: Mark) -> None:
        """``<<: {a: 1}`` merges keys the mapping does not define itself."""
        sources = value if isinstance(value, list) else [value]
        mapping: dict = frame.container  # type: ignore[assignment]
        for source in sources:
            if not isinstance(source, dict):
                self.errors.append(
                    LangError("a merge key ('<<') needs a mapping", self.source.location(mark))
                )
                continue
            for k, v in source.items():
                if k not in mapping:
                    mapping[k] = v
                    frame.keys[k] = mark  # type: ignore[index]
                    frame.values[k] = self.source.value_mark(source, k) or mark  # type: ignore[index]

    def _check_node_props(self, event: Any) -> None:
        if event.anchor is not None and self.strict:
            raise _NeedsMistralDialect
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _KNOWN_COLLECTION_TAGS:
            self._fail(event, f"unsupported YAML tag {tag!r}")

    def _scalar(self, event: Any) -> Any:
        if event.anchor is not None and self.strict:
            raise _NeedsMistralDialect
        value: str = event.value
        tag = event.tag
        style = event.style
        if tag is None or tag == "!":
            if style:  # quoted or block scalars are always strings
                return value
            tag = self.resolver.resolve(ScalarNode, value, event.implicit)
            if tag in (_STR, _MERGE):
                return value
        elif tag not in _KNOWN_SCALAR_TAGS:
            self._fail(event, f"unsupported YAML tag {tag!r}")
        if tag == _STR:
            return value
        if tag == _TIMESTAMP:
            # Keep dates as written: values must stay JSON-like.
            return value
        node = ScalarNode(tag, value, event.start_mark, event.end_mark, style)
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self._fail(event, f"cannot read {value!r} as {tag.rsplit(':', 1)[-1]}: {exc.problem}")

    def _fail(self, event: Any, message: str) -> None:
        mark = (event.start_mark.line, event.start_mark.column, None)
        raise ValidationError([LangError(message, self.source.location(mark))])


def load_yaml(
    text: str, file: str | None = None, limits: YamlLimits = DEFAULT_LIMITS
) -> LoadedYaml:
    """Parse ``text`` (one YAML document) into plain values and a source map.

    Raises ``ValidationError`` for YAML syntax errors, duplicate keys, documents
    over the limits, and anything Mistral's YAML dialect would not read.
    """
    if len(text) > limits.max_chars:
        raise ValidationError(
            [
                LangError(
                    f"the document is {len(text)} characters long, more than the "
                    f"limit of {limits.max_chars}",
                    None,
                )
            ]
        )
    try:
        return _load(text, file, limits)
    except yaml.reader.ReaderError as exc:
        raise ValidationError([_reader_error(exc, text, file)]) from None


def _load(text: str, file: str | None, limits: YamlLimits) -> LoadedYaml:
    try:
        builder = _Builder(text, file, limits, strict=True)
        parser = yaml.CSafeLoader(text) if yaml.__with_libyaml__ else None
        if parser is None:
            raise _NeedsMistralDialect
        try:
            root = builder.build(parser.get_event)
        finally:
            parser.dispose()
    except _NeedsMistralDialect:
        builder = _Builder(text, file, limits, strict=False)
        loader = _MistralDialectLoader(text)
        root = _run_python_parser(builder, loader, text, file)
    except yaml.MarkedYAMLError as exc:
        if _may_need_dialect(text):
            builder = _Builder(text, file, limits, strict=False)
            root = _run_python_parser(builder, _MistralDialectLoader(text), text, file)
        else:
            raise ValidationError([yaml_error_to_lang_error(exc, text, file)]) from None
    if builder.errors:
        raise ValidationError(builder.errors)
    return LoadedYaml(root, builder.source)


def _run_python_parser(builder: _Builder, loader: _MistralDialectLoader, text: str,
                       file: str | None) -> Any:
    try:
        return builder.build(lambda: loader.get_event() if loader.check_event() else None)
    except yaml.MarkedYAMLError as exc:
        raise ValidationError([yaml_error_to_lang_error(exc, text, file)]) from None
    finally:
        loader.dispose()


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str | None) -> LangError:
    """A character YAML does not accept (a control character), at its line and column.

    libyaml reports a byte offset and PyYAML a character offset, so the position
    is found again in the text from the offending character itself.
    """
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    offset = text.find(char)
    if offset < 0:  # pragma: no cover - the reader only reports characters it met
        offset = min(exc.position, len(text))
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return LangError(
        f"invalid YAML: the character U+{ord(char):04X} is not allowed in YAML text "
        f"({exc.reason})",
        Location(file, line + 1, column + 1),
        hint=f"remove it, or write it as the escape \"\\u{ord(char):04x}\" inside a "
        "double-quoted string",
    )


def _may_need_dialect(text: str) -> bool:
    return "&" in text or "*" in text or "@" in text
