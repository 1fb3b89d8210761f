"""Reading Mistral's REST filter syntax."""

from __future__ import annotations

import pytest

from levante.store.query import Filter, parse_filter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RUNNING", Filter("eq", "RUNNING")),
        ("eq:RUNNING", Filter("eq", "RUNNING")),
        ("neq:ERROR", Filter("neq", "ERROR")),
        ("gt:2026-11-28 17:11:17", Filter("gt", "2026-11-28 17:11:17")),
        ("gte:3", Filter("gte", "3")),
        ("lt:3", Filter("lt", "3")),
        ("lte:3", Filter("lte", "3")),
        ("has:deploy", Filter("has", "deploy")),
        ("in:ERROR,CANCELLED", Filter("in", ["ERROR", "CANCELLED"])),
        ("nin:SUCCESS", Filter("nin", ["SUCCESS"])),
        ("has:a:b", Filter("has", "a:b")),
    ],
)
def test_known_prefixes_select_the_operator(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


def test_an_unknown_prefix_is_part_of_an_equality_value() -> None:
    assert parse_filter("http://host") == Filter("eq", "http://host")
    assert parse_filter("like:x") == Filter("eq", "like:x")
