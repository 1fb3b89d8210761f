"""The YAML loader: Mistral's dialect, positions, duplicate keys and hostile documents."""

from __future__ import annotations

import pytest

from levante.lang import ValidationError, YamlLimits
from levante.lang.yamlload import load_yaml


def _error(text: str, limits: YamlLimits | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        load_yaml(text, "doc.yaml", *((limits,) if limits else ()))
    return str(caught.value)


def test_values_are_plain_python_data() -> None:
    loaded = load_yaml("a: 1\nb: [true, null, 1.5, 'x']\nc: {d: e}\n")
    assert loaded.root == {"a": 1, "b": [True, None, 1.5, "x"], "c": {"d": "e"}}


def test_positions_of_keys_and_values() -> None:
    loaded = load_yaml("top:\n  key: value\n  list:\n    - one\n    - two\n", "f.yaml")
    top = loaded.root["top"]
    source = loaded.source
    assert source.location(source.key_mark(top, "key")).line == 2
    value = source.location(source.value_mark(top, "key"))
    assert (value.file, value.line, value.column) == ("f.yaml", 2, 8)
    second = source.location(source.value_mark(top["list"], 1))
    assert (second.line, second.column) == (5, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: *x\n", {"a": "*x"}),
        ("a: &x 1\n", {"a": "&x 1"}),
        ("a: @home\n", {"a": "@home"}),
        ("pattern: * * * * *\n", {"pattern": "* * * * *"}),
        ("a: [*x, &y]\n", {"a": ["*x", "&y"]}),
    ],
)
def test_anchors_and_aliases_are_plain_text_as_in_mistral(text: str, expected: dict) -> None:
    assert load_yaml(text).root == expected


def test_dates_stay_as_written() -> None:
    assert load_yaml("d: 2015-10-19\n").root == {"d": "2015-10-19"}


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    message = _error("a: 1\nb: 2\na: 3\n")
    assert "doc.yaml:3:1: duplicate key 'a': it was already defined at line 1" in message


def test_every_duplicate_is_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        load_yaml("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert len(caught.value.errors) == 2


def test_complex_keys_are_refused() -> None:
    assert "a key must be a plain value" in _error("? [a, b]\n: 1\n")


def test_unknown_tags_are_refused() -> None:
    assert "unsupported YAML tag" in _error("a: !!python/object:os.system ls\n")
    assert "unsupported YAML tag" in _error("a: !custom 1\n")


def test_standard_tags_are_read() -> None:
    assert load_yaml("a: !!str 1\nb: !!int '2'\n").root == {"a": "1", "b": 2}


def test_several_documents_are_refused() -> None:
    assert "single document" in _error("a: 1\n---\nb: 2\n")


def test_syntax_error_has_line_and_column() -> None:
    assert _error("a: [1, 2\nb: 3\n").startswith("doc.yaml:")


def test_less_indented_line_after_block_scalar_gets_a_hint() -> None:
    text = "task:\n  body: |\n    line one\n\n  -- signature\n  next: 1\n"
    with pytest.raises(ValidationError) as caught:
        load_yaml(text, "doc.yaml")
    (error,) = caught.value.errors
    assert error.location is not None and error.location.line == 5
    assert "block scalar `body: |` that started at line 2 ended at line 3" in error.message
    assert error.hint == (
        "if line 5 belongs to the text, indent it to column 5 like the lines above it"
    )


def test_ordinary_syntax_errors_get_no_block_scalar_hint() -> None:
    with pytest.raises(ValidationError) as caught:
        load_yaml("a:\n  b: 1\n c: 2\n")
    assert "block scalar" not in str(caught.value)


# Hostile documents: each must fail fast with a clear message.


def test_billion_laughs_is_harmless_text() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    try:
        loaded = load_yaml("\n".join(lines) + "\n")
    except ValidationError as exc:
        assert "YAML" in str(exc)
    else:
        assert all(isinstance(v, str) for v in loaded.root.values())


def test_flow_alias_bomb_is_refused_or_harmless() -> None:
    text = "a: [&x [1, 2], " + ", ".join(["*x"] * 1000) + "]\n"
    try:
        loaded = load_yaml(text)
    except ValidationError:
        return
    assert sum(len(str(v)) for v in loaded.root["a"]) < len(text)


def test_deep_nesting_is_refused() -> None:
    assert "nest" in _error("[" * 100_000 + "]" * 100_000)
    assert "nests deeper than 100 levels" in _error("[" * 200 + "]" * 200)
    assert "nests deeper" in _error("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 300)))


def test_huge_document_is_refused_before_parsing() -> None:
    message = _error("a: " + "x" * 2000 + "\n", YamlLimits(max_chars=1000))
    assert "more than the limit of 1000" in message


def test_too_many_values_are_refused() -> None:
    message = _error("[" + ", ".join(["1"] * 500) + "]", YamlLimits(max_nodes=100))
    assert "more than 100 values" in message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('a: 1\nb: "x\x07y"\n', 2, 6),  # libyaml path
        ("a: é\nb: *x\x07y\n", 2, 6),  # Mistral-dialect path, after a non-ASCII character
        ("a: 1\n\x00", 2, 1),
    ],
)
def test_control_characters_are_a_validation_error_at_their_position(
    text: str, line: int, column: int
) -> None:
    with pytest.raises(ValidationError) as caught:
        load_yaml(text, "doc.yaml")
    error = caught.value.errors[0]
    assert error.location is not None
    assert (error.location.file, error.location.line, error.location.column) == (
        "doc.yaml", line, column,
    )
    assert "is not allowed in YAML text" in error.message
