"""The NOTIFY payload names the node and the kinds of work it left."""

from __future__ import annotations

from levante.engine.runtime import NewWork
from levante.node.wakeup import EVERY_KIND, parse_payload, payload


def test_a_payload_carries_the_kinds_of_work() -> None:
    kinds = NewWork.ACTIONS | NewWork.NOTIFICATIONS
    assert parse_payload(payload("node-1", kinds)) == ("node-1", kinds)
    assert parse_payload(payload("node-1", NewWork.TIMERS)) == ("node-1", NewWork.TIMERS)


def test_a_payload_without_kinds_wakes_every_loop() -> None:
    # As an older node sends it (its id only), or a garbled one.
    assert parse_payload("node-1") == ("node-1", EVERY_KIND)
    assert parse_payload("node-1|x") == ("node-1", EVERY_KIND)
