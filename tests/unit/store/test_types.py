"""Time helpers and URL handling: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from levante.store.db import default_url, normalize_url
from levante.store.types import UTC, format_timestamp, parse_timestamp


def test_timestamps_render_as_mistral_does() -> None:
    value = dt.datetime(2026, 11, 28, 17, 11, 17, 123456, tzinfo=UTC)
    assert format_timestamp(value) == "2026-11-28 17:11:17"


def test_aware_timestamps_are_rendered_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert format_timestamp(dt.datetime(2026, 11, 28, 18, 0, 0, tzinfo=paris)) == (
        "2026-11-28 17:00:00"
    )


def test_naive_timestamps_are_taken_as_utc_and_none_stays_none() -> None:
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"
    assert format_timestamp(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 17:11:17",
        "2026-11-28T17:11:17",
        "2026-11-28T17:11:17Z",
        "2026-11-28T18:11:17+01:00",
    ],
)
def test_rest_and_iso_timestamps_parse_to_aware_utc(text: str) -> None:
    assert parse_timestamp(text) == dt.datetime(2026, 11, 28, 17, 11, 17, tzinfo=UTC)


def test_a_bad_timestamp_names_itself() -> None:
    with pytest.raises(ValueError, match="'yesterday'"):
        parse_timestamp("yesterday")


def test_default_database_lives_in_levante_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVANTE_HOME", "/srv/levante")
    assert default_url() == "sqlite:////srv/levante/levante.db"
    assert normalize_url(None) == "sqlite:////srv/levante/levante.db"
    monkeypatch.delenv("LEVANTE_HOME")
    assert default_url() == "sqlite:///.levante/levante.db"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h:5432/d", "postgresql+psycopg://u@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("/tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_urls_are_mapped_to_the_drivers_levante_uses(given: str, used: str) -> None:
    assert normalize_url(given) == used
