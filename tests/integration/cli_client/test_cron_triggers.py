"""``levante cron-trigger-*``: Levante's trigger options and commands beyond Mistral's.

Options (time zone, overlap and missed-run policies, jitter, paused) on
create and update, shown by get and list only when set; pause, resume, fire,
history and preview; each against a real ``levante server``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.cli_client.conftest import LevanteCli

WORKFLOW = "cron_report_wf"
TARGET = '{"target": "db-1"}'
EXTRA_HEADINGS = ("Time zone", "Overlap policy", "Missed run policy", "Missed run limit",
                  "Jitter seconds", "Paused")


@pytest.fixture(scope="module")
def report_workflow(levante: LevanteCli, examples: Path) -> str:
    """The workflow the tests' triggers start (takes ``target``, optional ``depth``)."""
    levante("workflow-create", str(examples / "cron_report.yaml"))
    return WORKFLOW


def create(levante: LevanteCli, name: str, *args: str) -> dict[str, object]:
    """``cron-trigger-create NAME cron_report_wf {target} ARGS`` shown as JSON."""
    return dict(levante.json("cron-trigger-create", name, WORKFLOW, TARGET, *args))


def test_create_with_options_shows_them_in_get_and_list(
    levante: LevanteCli, report_workflow: str
) -> None:
    created = create(levante, "ct_opts", "--pattern", "30 2 * * *",
                     "--time-zone", "Europe/Paris", "--overlap-policy", "forbid",
                     "--missed-run-policy", "run_all", "--missed-run-limit", "3",
                     "--jitter", "20")
    expected = {"Time zone": "Europe/Paris", "Overlap policy": "forbid",
                "Missed run policy": "run_all", "Missed run limit": 3, "Jitter seconds": 20}
    assert {k: created.get(k) for k in expected} == expected
    assert "Paused" not in created
    # 02:30 in Paris is 00:30 or 01:30 UTC, never 02:30 UTC.
    assert str(created["Next execution time"])[11:] in ("00:30:00", "01:30:00")
    shown = levante.json("cron-trigger-get", "ct_opts")
    assert {k: shown.get(k) for k in expected} == expected
    table = levante("cron-trigger-get", "ct_opts").out
    assert "| Overlap policy " in table and "forbid" in table
    listed = {t["Name"]: t for t in levante.json("cron-trigger-list")}
    assert listed["ct_opts"]["Time zone"] == "Europe/Paris"
    assert listed["ct_opts"]["Jitter seconds"] == 20
    levante("cron-trigger-delete", "ct_opts")


def test_a_plain_trigger_shows_only_mistral_fields(
    levante: LevanteCli, report_workflow: str
) -> None:
    created = create(levante, "ct_plain", "--pattern", "0 3 * * *")
    assert not set(EXTRA_HEADINGS) & set(created)
    assert not set(EXTRA_HEADINGS) & set(levante.json("cron-trigger-get", "ct_plain"))
    chosen = levante.json("cron-trigger-get", "ct_plain", "-c", "Name", "-c", "Paused")
    assert chosen == {"Name": "ct_plain", "Paused": False}
    levante("cron-trigger-delete", "ct_plain")


def test_paused_at_creation_and_first_time_in_the_trigger_zone(
    levante: LevanteCli, report_workflow: str
) -> None:
    created = create(levante, "ct_first", "--first-time", "2099-01-15 10:00",
                     "--time-zone", "Europe/Paris", "--paused")
    assert created["Paused"] is True
    assert created["Next execution time"] == "2099-01-15 09:00:00"
    utc = create(levante, "ct_first_utc", "--first-time", "2099-01-15 10:00", "--utc",
                 "--time-zone", "Europe/Paris")
    assert utc["Next execution time"] == "2099-01-15 10:00:00"
    levante("cron-trigger-delete", "ct_first", "ct_first_utc")


def test_bad_time_zone_and_bad_policies_are_refused(
    levante: LevanteCli, report_workflow: str
) -> None:
    zone = levante("cron-trigger-create", "ct_bad", WORKFLOW, TARGET, "--pattern", "0 2 * * *",
                   "--time-zone", "Mars/Olympus", ok=False)
    assert "Unknown time zone 'Mars/Olympus'" in zone.err and "Europe/Paris" in zone.err
    policy = levante("cron-trigger-create", "ct_bad", WORKFLOW, TARGET, "--pattern",
                     "0 2 * * *", "--overlap-policy", "queue", ok=False)
    assert policy.status == 2 and "invalid choice: 'queue'" in policy.err
    assert "'allow', 'forbid', 'replace'" in policy.err
    missed = levante("cron-trigger-create", "ct_bad", WORKFLOW, TARGET, "--pattern",
                     "0 2 * * *", "--missed-run-policy", "all", ok=False)
    assert "run_once" in missed.err
    negative = levante("cron-trigger-create", "ct_bad", WORKFLOW, TARGET, "--pattern",
                       "0 2 * * *", "--jitter", "-5", ok=False)
    assert "jitter_seconds must be 0 or more, got -5" in negative.err
    assert "ct_bad" not in {t["Name"] for t in levante.json("cron-trigger-list")}


def test_pause_and_resume(levante: LevanteCli, report_workflow: str) -> None:
    create(levante, "ct_pause", "--pattern", "*/5 * * * *")
    paused = levante.json("cron-trigger-pause", "ct_pause")
    assert paused["Paused"] is True
    assert levante.json("cron-trigger-get", "ct_pause")["Paused"] is True
    listed = {t["Name"]: t for t in levante.json("cron-trigger-list")}
    assert listed["ct_pause"]["Paused"] is True
    note = levante("cron-trigger-preview", "ct_pause", "--count", "1")
    assert "ct_pause is paused" in note.err
    resumed = levante.json("cron-trigger-resume", "ct_pause")
    assert "Paused" not in resumed
    next_time = datetime.strptime(str(resumed["Next execution time"]), "%Y-%m-%d %H:%M:%S")
    assert next_time.replace(tzinfo=UTC) > datetime.now(UTC)
    assert next_time.minute % 5 == 0
    assert "is paused" not in levante("cron-trigger-preview", "ct_pause").err
    missing = levante("cron-trigger-pause", "ct_nothing", ok=False)
    assert "Cron trigger not found [identifier=ct_nothing]" in missing.err
    levante("cron-trigger-delete", "ct_pause")


def test_update_changes_the_trigger_in_place(
    levante: LevanteCli, report_workflow: str, tmp_path: Path
) -> None:
    create(levante, "ct_update", "--pattern", "0 2 * * *", "--count", "5")
    updated = levante.json("cron-trigger-update", "ct_update", "--pattern", "15 4 * * *",
                           "--count", "2", "--overlap-policy", "replace", "--jitter", "7")
    assert updated["Pattern"] == "15 4 * * *"
    assert str(updated["Next execution time"]).endswith("04:15:00")
    assert updated["Remaining executions"] == 2
    assert (updated["Overlap policy"], updated["Jitter seconds"]) == ("replace", 7)
    new_input = tmp_path / "input.json"
    new_input.write_text('{"target": "db-2", "depth": 3}', encoding="utf-8")
    levante("cron-trigger-update", "ct_update", "--input", f"@{new_input}",
            "--params", '{"env": null}')
    shown = levante.json("cron-trigger-get", "ct_update")
    assert json.loads(str(shown["Params"])) == {"env": None}
    assert shown["Pattern"] == "15 4 * * *"
    unlimited = levante.json("cron-trigger-update", "ct_update", "--count", "none",
                             "--missed-run-policy", "run_all", "--missed-run-limit", "4")
    assert unlimited["Remaining executions"] is None and unlimited["Missed run limit"] == 4
    cleared = levante.json("cron-trigger-update", "ct_update", "--missed-run-limit", "none")
    assert "Missed run limit" not in cleared and cleared["Missed run policy"] == "run_all"
    zero = levante("cron-trigger-update", "ct_update", "--count", "0", ok=False)
    assert "remaining_executions must be at least 1" in zero.err
    wrong = levante("cron-trigger-update", "ct_update", "--input", '{"colour": "red"}', ok=False)
    assert "missing=['target']" in wrong.err and "unexpected=['colour']" in wrong.err
    zone = levante("cron-trigger-update", "ct_update", "--time-zone", "Nowhere/City", ok=False)
    assert "Unknown time zone 'Nowhere/City'" in zone.err
    nothing = levante("cron-trigger-update", "ct_update", ok=False)
    assert "nothing to change" in nothing.err
    levante("cron-trigger-delete", "ct_update")


def test_fire_starts_an_execution_and_history_records_it(
    levante: LevanteCli, report_workflow: str
) -> None:
    create(levante, "ct_fire", "--pattern", "0 2 1 1 *")
    assert levante.json("cron-trigger-history", "ct_fire") == []
    fired = levante.json("cron-trigger-fire", "ct_fire")
    assert fired["Workflow name"] == WORKFLOW
    assert levante.wait_for(str(fired["ID"]))["State"] == "SUCCESS"
    started_with = json.loads(levante("execution-get-input", str(fired["ID"])).out)
    assert started_with["target"] == "db-1"
    history = levante.json("cron-trigger-history", "ct_fire")
    assert len(history) == 1
    assert history[0]["Execution ID"] == fired["ID"]
    assert (history[0]["Outcome"], history[0]["Fired by"]) == ("started", "manual")
    table = levante("cron-trigger-history", "ct_fire").out
    for heading in ("Fire time", "Outcome", "Execution ID", "Reason"):
        assert f"| {heading} " in table or f" {heading} |" in table
    assert str(fired["ID"]) in table
    shown = levante.json("cron-trigger-get", "ct_fire")
    assert shown["Remaining executions"] is None
    assert str(shown["Next execution time"]).endswith("02:00:00")
    unknown = levante("cron-trigger-fire", "ct_nothing", ok=False)
    assert "ct_nothing" in unknown.err
    levante("cron-trigger-delete", "ct_fire")


def test_preview_lists_the_next_fire_times_in_the_trigger_zone(
    levante: LevanteCli, report_workflow: str
) -> None:
    create(levante, "ct_preview", "--pattern", "30 2 * * *", "--time-zone", "Europe/Paris",
           "--count", "2")
    times = levante.json("cron-trigger-preview", "ct_preview", "--count", "5")
    assert len(times) == 2  # only the two remaining executions
    for row in times:
        assert "T02:30:00+0" in row["Local time"]
        assert row["Fire time (UTC)"][11:] in ("00:30:00", "01:30:00")
    first = levante.json("cron-trigger-get", "ct_preview")["Next execution time"]
    assert times[0]["Fire time (UTC)"] == first
    too_many = levante("cron-trigger-preview", "ct_preview", "--count", "0", ok=False)
    assert "--count must be between 1 and 1000, got 0" in too_many.err
    levante("cron-trigger-delete", "ct_preview")
