"""A committed notification wakes the node's delivery loop at once (no waiting for its poll)."""

from __future__ import annotations

import asyncio

from levante.node.notify import DeliveryConfig
from levante.node.process import Node, NodeConfig
from levante.store import Database
from tests.integration.notify.receiver import Receiver
from tests.integration.notify.test_delivery import FAILING, WANTED, notify_params


def test_a_committed_notification_wakes_delivery_at_once(db: Database) -> None:
    hook = Receiver().start()
    config = NodeConfig(notify=DeliveryConfig(poll_interval=3600.0))  # polling never rescues

    async def scenario() -> None:
        async with Node(db, config) as node:
            node.runtime.start_workflow("failing", definition_text=FAILING,
                                        params=notify_params(hook.url, event_types=WANTED))
            await asyncio.to_thread(hook.wait_for, 3, 30.0)

    try:
        asyncio.run(scenario())
    finally:
        hook.stop()
    assert hook.events() == WANTED
