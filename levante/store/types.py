"""Column types that behave the same on SQLite and PostgreSQL, and time helpers.

Timestamps are stored as naive UTC (``TIMESTAMP WITHOUT TIME ZONE``) and come
back as timezone-aware UTC datetimes, so Python comparisons never mix naive and
aware values. REST renders them the way Mistral does: ``"2026-11-28 17:11:17"``.
"""

from __future__ import annotations

import datetime as dt
import json
import json.encoder
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC

#: JSON on SQLite, JSONB on PostgreSQL. ``none_as_null`` stores Python ``None`` as SQL NULL.
JSONValue = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

#: 64-bit integer primary key that is still SQLite's auto-incrementing ROWID alias.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A datetime stored as naive UTC and returned as aware UTC.

    Naive values passed in are taken to be UTC already; aware ones are converted.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the text SQLAlchemy's DATETIME stores, written by ``isoformat`` (C code).

        SQLAlchemy's own processor formats seven fields through a ``%`` format
        per value, several microseconds; a row carries two or three timestamps.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Convert an incoming datetime to naive UTC."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Mark a stored naive UTC datetime as UTC."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=UTC)


_RECENT_TEXTS: dict[dt.datetime, str] = {}
"""Texts of recent timestamps: the rows of a transaction mostly carry its ``now``. (A naive
and an aware datetime are never equal, so one cannot be taken for the other.)"""


def _sqlite_text(value: Any) -> str | None:
    """A datetime as SQLite's DATETIME holds it: naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
    text = _RECENT_TEXTS.get(value)
    if text is None:
        if value.tzinfo is None:
            text = value.isoformat(" ", "microseconds")
        else:  # the text of the UTC time, without its "+00:00"
            text = value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        if len(_RECENT_TEXTS) >= 64:
            _RECENT_TEXTS.clear()
        _RECENT_TEXTS[value] = text
    return text


_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without CPython's _json
_JSON_CHUNKS = _C_ENCODER(
    None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None,
    ": ", ", ", False, False, True) if _C_ENCODER is not None else None


def json_text(value: Any) -> str:
    """``json.dumps(value)``, the same text, without building an encoder per call.

    JSON columns are written through this (``create_engine(json_serializer=...)``);
    ``json.dumps`` makes a new encoder for every value, which costs more
    than encoding a small one. Like ``dumps``: ASCII only, ``NaN`` allowed,
    ``TypeError`` for what JSON cannot hold. Unlike it, a value that contains
    itself fails with ``RecursionError`` instead of ``ValueError``.
    """
    if isinstance(value, str):
        return str(json.encoder.encode_basestring_ascii(value))  # type: ignore[attr-defined]
    if _JSON_CHUNKS is None:
        return json.dumps(value)
    return "".join(_JSON_CHUNKS(value, 0))


def utc_now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(UTC)


def format_timestamp(value: dt.datetime | None) -> str | None:
    """Render a timestamp as Mistral's REST API does: ``"2026-11-28 17:11:17"`` (UTC, seconds).

    Naive values are taken to be UTC; ``None`` stays ``None``.
    """
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def parse_timestamp(text: str) -> dt.datetime:
    """Parse a REST timestamp (``"2026-11-28 17:11:17"`` or ISO 8601) into aware UTC.

    Raises ``ValueError`` with the offending text when it is not a timestamp.
    """
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a timestamp: {text!r} (expected 'YYYY-MM-DD HH:MM:SS')") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
