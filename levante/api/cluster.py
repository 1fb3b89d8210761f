"""``GET /v2/cluster``: the live nodes, their roles and heartbeats, and the work each holds.

A Levante extension (Mistral has no such resource). Read from the database,
so any node with the API role answers for the whole cluster. ``levante
cluster-status`` prints it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.wire import json_response
from levante.store.models import Node, Timer, WorkItem
from levante.store.types import format_timestamp, utc_now

router = APIRouter(tags=["operations"])


@dataclass(frozen=True)
class NodeStatus:
    """One node as the cluster sees it."""

    id: str
    host: str
    pid: int
    roles: list[str]
    executor_name: str | None
    started_at: str
    heartbeat_at: str
    #: Seconds since the last heartbeat.
    heartbeat_age: float
    lease_seconds: float
    #: False once the heartbeat is older than the lease: its work is being taken over.
    alive: bool
    #: Queue entries (action executions) this node has claimed: running or about to run.
    claimed_actions: int
    #: Timers this node holds under a claim (being fired right now).
    claimed_timers: int


@dataclass(frozen=True)
class ClusterStatus:
    """Every registered node, plus the work nobody holds yet."""

    nodes: list[NodeStatus]
    #: Queue entries waiting for an executor.
    queued_actions: int
    #: Queue entries claimed by a node no longer registered (taken over soon).
    orphaned_actions: int
    #: Timers set and not yet fired.
    timers: int

    def as_dict(self) -> dict[str, Any]:
        """The REST body."""
        return asdict(self)


def read_cluster_status(session: Session, now: dt.datetime | None = None) -> ClusterStatus:
    """The cluster's status as recorded in the database."""
    now = now or utc_now()
    queue = WorkItem.__table__.c
    timers = Timer.__table__.c
    claimed = dict(
        session.execute(
            select(queue.claimed_by, func.count()).where(queue.claimed_by.is_not(None))
            .group_by(queue.claimed_by)
        ).tuples().all()
    )
    held_timers = dict(
        session.execute(
            select(timers.claimed_by, func.count()).where(timers.claimed_by.is_not(None))
            .group_by(timers.claimed_by)
        ).tuples().all()
    )
    waiting = session.scalar(
        select(func.count()).select_from(WorkItem.__table__).where(queue.claimed_by.is_(None))
    )
    timer_count = session.scalar(select(func.count()).select_from(Timer.__table__))
    statuses = []
    for node in session.scalars(select(Node).order_by(Node.started_at, Node.id)):
        age = max(0.0, (now - node.heartbeat_at).total_seconds())
        statuses.append(NodeStatus(
            id=node.id,
            host=node.host,
            pid=node.pid,
            roles=sorted(node.roles or []),
            executor_name=node.executor_name,
            started_at=format_timestamp(node.started_at) or "",
            heartbeat_at=format_timestamp(node.heartbeat_at) or "",
            heartbeat_age=round(age, 3),
            lease_seconds=node.lease_seconds,
            alive=age <= node.lease_seconds,
            claimed_actions=int(claimed.pop(node.id, 0)),
            claimed_timers=int(held_timers.get(node.id, 0)),
        ))
    return ClusterStatus(
        nodes=statuses,
        queued_actions=int(waiting or 0),
        orphaned_actions=int(sum(claimed.values())),
        timers=int(timer_count or 0),
    )


@router.get("/v2/cluster")
def cluster_status(ctx: Ctx) -> JSONResponse:
    """The live nodes, their roles, executor names, heartbeats and the work each holds."""
    with ctx.db.read() as session:
        status = read_cluster_status(session)
    return json_response(status.as_dict())
