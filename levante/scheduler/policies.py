"""What a cron trigger does in the situations a user must choose for: named policies.

The same words are the values of the REST fields (``overlap_policy``,
``missed_run_policy``) and of the history's ``outcome``.
"""

from __future__ import annotations

from enum import StrEnum


class OverlapPolicy(StrEnum):
    """What a fire time does while the trigger's previous execution is still running."""

    ALLOW = "allow"
    """Start another execution anyway (Mistral's behaviour, the default)."""
    FORBID = "forbid"
    """Start nothing; the fire time is recorded as ``skipped`` with the running execution's id."""
    REPLACE = "replace"
    """Cancel the running execution, then start the new one (recorded on the new run)."""


class MissedRunPolicy(StrEnum):
    """What happens to fire times that passed while no node was running (after downtime).

    A fire time counts as missed when it is found later than the misfire grace
    (``SchedulerConfig.misfire_grace``, 60 s by default); fire times found within
    the grace simply start, late.
    """

    RUN_ONCE = "run_once"
    """Start one execution now for the newest missed fire time; the older ones are
    recorded as ``missed`` (the default; close to Mistral, which starts once after downtime)."""
    SKIP = "skip"
    """Start nothing for missed fire times; each is recorded as ``missed``."""
    RUN_ALL = "run_all"
    """Start one execution per missed fire time, oldest first, but at most
    ``missed_run_limit`` of them (the newest ones); older ones are recorded as ``missed``."""


class RunOutcome(StrEnum):
    """What happened at one fire time of a trigger (a row of its history)."""

    STARTED = "started"
    """An execution was started (``execution_id``)."""
    SKIPPED = "skipped"
    """Not started: the overlap policy ``forbid`` and the previous execution still running."""
    MISSED = "missed"
    """Not started: the fire time passed during downtime and the missed-run policy dropped it."""
    FAILED = "failed"
    """The start was refused (the workflow was deleted, its input no longer fits, ...)."""
    PAUSED = "paused"
    """Not started: the trigger was paused at that fire time (recorded when it is resumed)."""


class FiredBy(StrEnum):
    """Why a history row exists."""

    SCHEDULE = "schedule"
    """A fire time of the trigger's pattern or first execution time."""
    MANUAL = "manual"
    """``POST /v2/cron_triggers/{name}/fire``: started once by hand; the schedule is unchanged."""


#: How many missed runs ``run_all`` starts when the trigger sets no ``missed_run_limit``.
DEFAULT_MISSED_RUN_LIMIT = 10
