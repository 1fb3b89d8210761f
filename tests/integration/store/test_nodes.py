"""Nodes: registration, heartbeats, and detecting dead ones."""

from __future__ import annotations

import datetime as dt
import os
import socket

from levante.store import nodes
from levante.store.db import Database

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)


def test_a_registered_node_heartbeats(db: Database) -> None:
    with db.transaction() as session:
        node = nodes.register_node(session, roles=["engine", "executor"], executor_name="x")
        assert node.pid == os.getpid()
        assert node.host == socket.gethostname()
    with db.transaction() as session:
        assert nodes.heartbeat(session, node.id, NOW + dt.timedelta(hours=1))
        assert not nodes.heartbeat(session, "forgotten")
    with db.read() as session:
        (live,) = nodes.live_nodes(session)
    assert live.roles == ["engine", "executor"]
    assert live.heartbeat_at == NOW + dt.timedelta(hours=1)


def test_a_node_whose_lease_expired_is_dead(db: Database) -> None:
    with db.transaction() as session:
        quiet = nodes.register_node(session, roles=["executor"], host="far", lease_seconds=10)
        nodes.heartbeat(session, quiet.id, NOW)
        busy = nodes.register_node(session, roles=["executor"], host="far", lease_seconds=10)
        nodes.heartbeat(session, busy.id, NOW + dt.timedelta(seconds=8))
    with db.read() as session:
        assert nodes.dead_nodes(session, NOW + dt.timedelta(seconds=5)) == []
        assert nodes.dead_nodes(session, NOW + dt.timedelta(seconds=12)) == [quiet.id]


def test_a_node_on_this_host_whose_process_is_gone_is_dead_at_once(db: Database) -> None:
    with db.transaction() as session:
        me = nodes.register_node(session, roles=["engine"])
        gone = nodes.register_node(session, roles=["engine"], pid=4_000_000)
        elsewhere = nodes.register_node(session, roles=["engine"], pid=4_000_000, host="other")
    with db.read() as session:
        dead = nodes.dead_nodes(session, me.heartbeat_at, is_alive=lambda pid: pid != 4_000_000)
    assert dead == [gone.id]
    assert elsewhere.id not in dead
    with db.transaction() as session:
        assert nodes.remove_nodes(session, dead) == 1
        assert [n.id for n in nodes.live_nodes(session)] == sorted(
            [me.id, elsewhere.id], key=lambda i: i != me.id
        )


def test_pid_alive_knows_this_process() -> None:
    assert nodes.pid_alive(os.getpid())
