"""``levante server``'s history retention options become the cron loop's HistoryRetention."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest

from levante.cli.server import _node_config, register
from levante.scheduler.retention import HistoryRetention


def server_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(["server", *argv])


def test_defaults_keep_a_thousand_rows_per_trigger_for_ninety_days() -> None:
    assert _node_config(server_args()).cron_history == HistoryRetention(
        rows_per_trigger=1000, max_age=dt.timedelta(days=90))


def test_the_options_set_both_values() -> None:
    config = _node_config(server_args("--cron-history-rows", "50", "--cron-history-days", "1.5"))
    assert config.cron_history.rows_per_trigger == 50
    assert config.cron_history.max_age == dt.timedelta(hours=36)


@pytest.mark.parametrize(("argv", "message"), [
    (("--cron-history-rows", "0"), "--cron-history-rows must be at least 1, got 0"),
    (("--cron-history-days", "-1"), "--cron-history-days must be positive, got -1"),
])
def test_values_that_would_purge_everything_are_refused(argv: tuple[str, ...],
                                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _node_config(server_args(*argv))
