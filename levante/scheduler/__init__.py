"""Cron triggers fired exactly once across all nodes (durable engine timers live in the engine).

* :mod:`~levante.scheduler.policies` -- the named choices (overlap, missed runs, outcomes);
* :mod:`~levante.scheduler.schedule` -- pure: next fire times in a time zone, jitter;
* :mod:`~levante.scheduler.planning` -- pure: what one firing step does;
* :mod:`~levante.scheduler.firing` -- the database side: claim, start and advance in one
  transaction;
* :mod:`~levante.scheduler.loop` -- the node's loop.
"""

from levante.scheduler.firing import (
    CronScheduler,
    FireRecord,
    SchedulerConfig,
    TriggerNotFound,
    execution_id_for,
)
from levante.scheduler.loop import CronLoop
from levante.scheduler.planning import Step, plan_step
from levante.scheduler.policies import FiredBy, MissedRunPolicy, OverlapPolicy, RunOutcome
from levante.scheduler.schedule import CronSchedule, ScheduleError, jitter_delay

__all__ = [
    "CronLoop",
    "CronSchedule",
    "CronScheduler",
    "FireRecord",
    "FiredBy",
    "MissedRunPolicy",
    "OverlapPolicy",
    "RunOutcome",
    "ScheduleError",
    "SchedulerConfig",
    "Step",
    "TriggerNotFound",
    "execution_id_for",
    "jitter_delay",
    "plan_step",
]
