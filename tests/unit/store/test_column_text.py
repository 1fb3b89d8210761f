"""Timestamps and JSON are written as the text SQLAlchemy and ``json.dumps`` would write."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from levante.store.types import UTCDateTime, json_text

SQLITE = sqlite.dialect()
SQLALCHEMY_DATETIME = DateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)),
                         dt.timezone(dt.timedelta(hours=-8))])


@given(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                    timezones=ZONES))
def test_sqlite_timestamps_are_sqlalchemys_text_in_utc(value: dt.datetime) -> None:
    process = UTCDateTime().bind_processor(SQLITE)
    naive_utc = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    assert process(value) == SQLALCHEMY_DATETIME(naive_utc)


def test_sqlite_timestamps_refuse_what_is_not_a_datetime() -> None:
    process = UTCDateTime().bind_processor(SQLITE)
    assert process(None) is None
    with pytest.raises(TypeError, match="expected a datetime, got str"):
        process("2026-12-08")


def test_postgresql_keeps_sqlalchemys_own_processing() -> None:
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    process = UTCDateTime().bind_processor(dialect)
    value = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert process(value) == dt.datetime(2026, 12, 8, 2, 0)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=5) | st.integers(), inner, max_size=4),
    max_leaves=20)


@given(JSON_VALUES)
def test_json_text_is_json_dumps(value: Any) -> None:
    assert json_text(value) == json.dumps(value)


@pytest.mark.parametrize("value", [{"when": dt.datetime(2026, 1, 1)}, {1, 2}, [object()]])
def test_json_text_refuses_what_json_dumps_refuses(value: Any) -> None:
    with pytest.raises(TypeError) as dumps_error:
        json.dumps(value)
    with pytest.raises(TypeError) as ours:
        json_text(value)
    assert str(ours.value) == str(dumps_error.value)


def test_tuples_are_lists_as_with_json_dumps() -> None:
    assert json_text({"pair": ("a", 1)}) == '{"pair": ["a", 1]}'


def test_equal_instants_share_a_text_and_naive_is_never_taken_for_aware() -> None:
    process = UTCDateTime().bind_processor(SQLITE)
    utc = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
    paris = utc.astimezone(dt.timezone(dt.timedelta(hours=1)))
    naive_local = dt.datetime(2026, 12, 8, 3, 0)  # the same wall time as paris, naive
    assert process(utc) == process(paris) == "2026-12-08 02:00:00.000000"
    assert process(naive_local) == "2026-12-08 03:00:00.000000"
    for second in range(100):  # the memory of recent texts is bounded and starts over
        process(utc + dt.timedelta(seconds=second))
    assert process(paris) == "2026-12-08 02:00:00.000000"


@pytest.mark.parametrize("value", [True, False, None, 1, 0, 2, -1, "yes", 1.5, [1]])
def test_sqlite_booleans_are_written_as_sqlalchemy_writes_them(value: Any) -> None:
    from sqlalchemy import Boolean

    from levante.store.bulk import _sqlite_boolean

    theirs = Boolean().dialect_impl(SQLITE).bind_processor(SQLITE)
    try:
        expected: Any = theirs(value)
    except (TypeError, ValueError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            _sqlite_boolean(value)
    else:
        assert _sqlite_boolean(value) == expected
