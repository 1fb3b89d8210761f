"""``/metrics``: Prometheus text exposition (format 0.0.4), written by hand.

Gauges are read from the database at scrape time (executions by state, queue
depth, timer lag), so every node of a cluster reports the same totals. The
action duration histogram is cumulative per process: each scrape adds the
action executions that finished since the previous one (their time from
creation, i.e. queued, to result), read through a partial index of finished
actions by ``updated_at``. It is read from the database rather than kept from
the local executor's outcomes so that an API node also counts the actions run
by executor-only nodes of a cluster (which serve no ``/metrics``); a row
enters that index once, when it finishes, so the hot path pays one index
insert per action and a scrape is a seek, not a table scan.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.store.models import ActionExecution, Timer, WorkflowExecution, WorkItem
from levante.store.models.executions import FINISHED_ACTIONS
from levante.store.types import utc_now

router = APIRouter(tags=["operations"])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Upper bounds (s) of the action duration buckets.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
FINAL_ACTION_STATES = ("SUCCESS", "ERROR", "CANCELLED")
WORKFLOW_STATES = ("IDLE", "RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED")


@dataclass
class Histogram:
    """A cumulative histogram of seconds, as Prometheus expects it."""

    bounds: Sequence[float] = DURATION_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * len(self.bounds)

    def observe(self, seconds: float) -> None:
        """Count one observation."""
        seconds = max(0.0, seconds)
        for i, bound in enumerate(self.bounds):
            if seconds <= bound:
                self.counts[i] += 1
        self.total += seconds
        self.count += 1

    def lines(self, name: str) -> list[str]:
        """The ``_bucket``, ``_sum`` and ``_count`` samples."""
        out = [
            f'{name}_bucket{{le="{_number(b)}"}} {n}'
            for b, n in zip(self.bounds, self.counts, strict=True)
        ]
        out.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        out.append(f"{name}_sum {_number(self.total)}")
        out.append(f"{name}_count {self.count}")
        return out


def finished_since(mark: dt.datetime) -> ColumnElement[bool]:
    """Action executions that finished at or after ``mark``: a seek in the partial index
    ``ix_action_executions_finished`` (its predicate is repeated as written so that SQLite
    and PostgreSQL both use it), never a scan of the table."""
    return and_(text(FINISHED_ACTIONS), ActionExecution.updated_at >= mark)


class ActionDurations:
    """Action durations seen by this process since it started (thread-safe)."""

    def __init__(self, since: dt.datetime | None = None) -> None:
        """Count actions that finish after ``since`` (default: now)."""
        self._mark = since or utc_now()
        self._seen_at_mark: set[str] = set()
        self._lock = threading.Lock()
        self.by_state = {state: Histogram() for state in FINAL_ACTION_STATES}

    def refresh(self, session: Session) -> None:
        """Add the action executions that finished since the last refresh."""
        with self._lock:
            rows = session.execute(
                select(
                    ActionExecution.id,
                    ActionExecution.state,
                    ActionExecution.created_at,
                    ActionExecution.updated_at,
                ).where(finished_since(self._mark))
            ).all()
            newest = self._mark
            at_newest: set[str] = set()
            for action_id, state, created, updated in rows:
                if action_id in self._seen_at_mark and _aware(updated) == self._mark:
                    continue
                if created is not None and updated is not None:
                    seconds = (_aware(updated) - _aware(created)).total_seconds()
                    self.by_state[state].observe(seconds)
                if _aware(updated) > newest:
                    newest, at_newest = _aware(updated), set()
                if _aware(updated) == newest:
                    at_newest.add(action_id)
            if newest == self._mark:
                self._seen_at_mark |= at_newest
            else:
                self._mark, self._seen_at_mark = newest, at_newest


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request, ctx: Ctx) -> PlainTextResponse:
    """Prometheus metrics: executions by state, action durations, queue depth, timer lag."""
    durations = _durations(request)
    now = utc_now()
    with ctx.db.read() as session:
        durations.refresh(session)
        by_state = dict(
            session.execute(
                select(WorkflowExecution.state, func.count())
                .where(WorkflowExecution.spec.is_not(None))
                .group_by(WorkflowExecution.state)
            ).all()
        )
        queued = session.scalar(
            select(func.count()).select_from(WorkItem).where(WorkItem.claimed_by.is_(None))
        )
        claimed = session.scalar(
            select(func.count()).select_from(WorkItem).where(WorkItem.claimed_by.is_not(None))
        )
        oldest_due = session.scalar(select(func.min(Timer.due_at)).where(Timer.due_at <= now))
        timers = session.scalar(select(func.count()).select_from(Timer))
    lag = (now - _aware(oldest_due)).total_seconds() if oldest_due is not None else 0.0
    text: list[str] = []
    text += _family(
        "levante_workflow_executions",
        "gauge",
        "Workflow executions by state.",
        [
            (f'state="{s}"', by_state.get(s, 0))
            for s in sorted(set(WORKFLOW_STATES) | set(by_state))
        ],
    )
    text += _family(
        "levante_queue_depth",
        "gauge",
        "Action executions in the work queue, waiting (claimed=false) or running (true).",
        [('claimed="false"', queued or 0), ('claimed="true"', claimed or 0)],
    )
    text += _family("levante_timers", "gauge", "Durable timers pending.", [("", timers or 0)])
    text += _family(
        "levante_timer_lag_seconds",
        "gauge",
        "How far behind its due time the most overdue timer is (0 when none is due).",
        [("", lag)],
    )
    name = "levante_action_duration_seconds"
    text += [
        f"# HELP {name} Time from an action execution's creation (queued) to its result.",
        f"# TYPE {name} histogram",
    ]
    for state, histogram in durations.by_state.items():
        text += [
            line.replace(f"{name}_bucket{{", f'{name}_bucket{{state="{state}",', 1)
            if "_bucket{" in line
            else line.replace(" ", f'{{state="{state}"}} ', 1)
            for line in histogram.lines(name)
        ]
    return PlainTextResponse("\n".join(text) + "\n", media_type=CONTENT_TYPE)


def _durations(request: Request) -> ActionDurations:
    """The application's duration histograms, made at the first scrape."""
    state = request.app.state
    if not hasattr(state, "action_durations"):
        state.action_durations = ActionDurations()
    found: ActionDurations = state.action_durations
    return found


def _family(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label_text = f"{{{labels}}}" if labels else ""
        lines.append(f"{name}{label_text} {_number(value)}")
    return lines


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
