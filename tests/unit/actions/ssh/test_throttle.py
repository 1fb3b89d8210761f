"""The handshake cap: never more than ``limit`` holders of one key at once."""

from __future__ import annotations

import asyncio

from levante.actions.ssh.throttle import HandshakeLimiter


async def test_caps_each_key_separately_and_forgets_idle_keys() -> None:
    limiter = HandshakeLimiter(3)
    holding: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}

    async def handshake(key: str) -> None:
        async with limiter.slot(key):
            holding[key] += 1
            most[key] = max(most[key], holding[key])
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            holding[key] -= 1

    await asyncio.gather(*(handshake(k) for k in ["a"] * 10 + ["b"] * 2))
    assert most == {"a": 3, "b": 2}
    assert limiter.peak == {"a": 3, "b": 2}
    assert limiter._slots == {}
