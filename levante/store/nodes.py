"""Live Levante processes: registration, heartbeats, and which ones are dead.

A node is dead when its heartbeat is older than its lease, or — on the same
host — at once when its process id no longer exists. Its queue claims are
then taken over (``levante.store.queue.take_over``).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from levante.store.models import Node
from levante.store.types import utc_now

DEFAULT_LEASE_SECONDS = 30.0


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def register_node(
    session: Session,
    *,
    roles: Sequence[str],
    executor_name: str | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    node_id: str | None = None,
    host: str | None = None,
    pid: int | None = None,
) -> Node:
    """Record this process as a node; returns it (its id is what claims are made with)."""
    host = host or socket.gethostname()
    pid = os.getpid() if pid is None else pid
    now = utc_now()
    node = Node(
        id=node_id or f"{host[:30]}-{pid}-{uuid.uuid4().hex[:8]}",
        host=host,
        pid=pid,
        roles=list(roles),
        executor_name=executor_name,
        lease_seconds=lease_seconds,
        started_at=now,
        heartbeat_at=now,
    )
    session.add(node)
    session.flush()
    return node


def heartbeat(session: Session, node_id: str, now: dt.datetime | None = None) -> bool:
    """Say the node is alive; ``False`` if its row is gone (it was declared dead: stop work)."""
    result = session.execute(
        update(Node.__table__)
        .where(Node.__table__.c.id == node_id)
        .values(heartbeat_at=now or utc_now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def dead_nodes(
    session: Session,
    now: dt.datetime | None = None,
    *,
    host: str | None = None,
    is_alive: Callable[[int], bool] = pid_alive,
) -> list[str]:
    """Ids of dead nodes: lease expired, or on ``host`` (default: this one) with no such pid."""
    now = now or utc_now()
    host = host or socket.gethostname()
    dead = []
    for node in session.scalars(select(Node).order_by(Node.id)):
        expired = node.heartbeat_at + dt.timedelta(seconds=node.lease_seconds) < now
        gone = node.host == host and node.pid != os.getpid() and not is_alive(node.pid)
        if expired or gone:
            dead.append(node.id)
    return dead


def remove_nodes(session: Session, node_ids: Sequence[str]) -> int:
    """Forget nodes (after their work was taken over, or at a clean shutdown)."""
    if not node_ids:
        return 0
    result = session.execute(delete(Node.__table__).where(Node.__table__.c.id.in_(list(node_ids))))
    return int(result.rowcount)  # type: ignore[attr-defined]


def live_nodes(session: Session) -> list[Node]:
    """Every registered node, oldest first (for status displays)."""
    return list(session.scalars(select(Node).order_by(Node.started_at, Node.id)))
