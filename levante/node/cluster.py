"""A node's place in the cluster: its roles, its row in ``nodes``, and taking over dead nodes' work.

Every node registers itself and heartbeats its row. A node whose heartbeat is
older than its lease (or, on the same host, whose process is gone) is dead:
a node with the ``engine`` role then takes over its claims -- queued work is
run again, an action in flight is re-queued when its task says
``safe-rerun: true`` and failed otherwise (``EngineRuntime.recover_lost_actions``).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Iterable

from levante.engine.runtime import EngineRuntime
from levante.store import Database, nodes

LOG = logging.getLogger(__name__)


class Role(enum.StrEnum):
    """What a node does; ``levante server --role`` takes a comma-separated list."""

    #: Serves the REST API v2 (and the dashboard) over HTTP.
    API = "api"
    #: Takes over the work of dead nodes (expired leases, vanished processes).
    ENGINE = "engine"
    #: Claims queued action executions, runs them and reports their results.
    EXECUTOR = "executor"
    #: Fires durable timers (retry delays, waits, timeouts) and cron triggers.
    SCHEDULER = "scheduler"


#: Every role: what a node does unless told otherwise.
ALL_ROLES: frozenset[Role] = frozenset(Role)


class RoleError(ValueError):
    """A ``--role`` value names no role."""


def parse_roles(text: str | Iterable[str]) -> frozenset[Role]:
    """Roles from ``"api,executor"`` (or a list of names); ``"all"`` means every role."""
    names = text.split(",") if isinstance(text, str) else list(text)
    roles: set[Role] = set()
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name == "all":
            roles.update(ALL_ROLES)
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise RoleError(
                f"unknown role {raw!r}: use one or more of {choices} (or all)"
            ) from None
    if not roles:
        raise RoleError("no role given: use one or more of api, engine, executor, scheduler")
    return frozenset(roles)


class Membership:
    """This node's row in ``nodes`` and its duties towards dead nodes.

    Every method is blocking (one short transaction or two); call them on
    the node's database thread.
    """

    def __init__(
        self,
        db: Database,
        runtime: EngineRuntime,
        *,
        roles: frozenset[Role],
        executor_name: str | None,
        lease_seconds: float,
    ) -> None:
        """Membership of a node with ``roles``; nothing is written before :meth:`register`."""
        self._db = db
        self._runtime = runtime
        self._roles = roles
        self._executor_name = executor_name
        self._lease_seconds = lease_seconds
        self.node_id = ""
        self._last_beat = 0.0
        self._hold_until = 0.0
        #: Claims of dead nodes taken over so far (re-queued + failed), for status and tests.
        self.takeovers = 0

    def register(self) -> str:
        """Insert this node's row (a new id, or the same one again after it was removed)."""
        with self._db.transaction() as session:
            row = nodes.register_node(
                session,
                roles=sorted(r.value for r in self._roles),
                executor_name=self._executor_name,
                lease_seconds=self._lease_seconds,
                node_id=self.node_id or None,
            )
            self.node_id = row.id
        self._last_beat = time.monotonic()
        return self.node_id

    def unregister(self) -> None:
        """Remove this node's row (a clean stop: nothing of ours needs taking over)."""
        with self._db.transaction() as session:
            nodes.remove_nodes(session, [self.node_id])

    def heartbeat(self) -> None:
        """Say we are alive; re-register if another node declared us dead meanwhile.

        After a gap longer than the lease (the database was unreachable), the
        other nodes' heartbeats are stale too, through no fault of theirs:
        taking over their work is held off for one lease so they can beat again.
        """
        with self._db.transaction() as session:
            alive = nodes.heartbeat(session, self.node_id)
        now = time.monotonic()
        if now - self._last_beat > self._lease_seconds:
            LOG.warning("no heartbeat for %.1fs (database unreachable?); holding off take-overs "
                        "for %.0fs", now - self._last_beat, self._lease_seconds)
            self._hold_until = now + self._lease_seconds
        self._last_beat = now
        if not alive:
            LOG.warning("node %s was declared dead by another node; registering again",
                        self.node_id)
            self.register()

    def recover(self) -> int:
        """Take over the claims of dead nodes and expired leases; how many were taken."""
        if Role.ENGINE not in self._roles or time.monotonic() < self._hold_until:
            return 0
        with self._db.read() as session:
            dead = nodes.dead_nodes(session)
        dead = [node for node in dead if node != self.node_id]
        recovery = self._runtime.recover_lost_actions(dead, expired=True)
        taken = len(recovery.requeued) + len(recovery.failed)
        if taken:
            self.takeovers += taken
            LOG.warning(
                "took over work of lost executors: %d re-queued (safe-rerun), %d failed",
                len(recovery.requeued), len(recovery.failed),
            )
        if dead:
            with self._db.transaction() as session:
                nodes.remove_nodes(session, dead)
            LOG.warning("removed dead nodes: %s", ", ".join(dead))
        return taken
