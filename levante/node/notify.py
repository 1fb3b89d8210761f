"""Delivering the notifications outbox to webhooks, at least once.

:class:`NotificationDelivery` claims due rows of ``notifications`` (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so nodes never claim the same row), POSTs
each payload as JSON to its target's ``url`` with the target's ``headers``,
deletes the row on a 2xx answer and otherwise retries later with exponential
backoff. After ``max_attempts`` the row is marked failed (``failed_at``) and
kept, with its ``last_error``, for the operator to see.

A claim moves ``next_attempt_at`` past a lease: a node that dies while
delivering only delays the row, which is then sent again (a receiver may see
an event twice, never zero times).

Ordering: the events of one root execution (the execution and its
sub-workflows) to one target form a *stream*, delivered one at a time in the
order they were written (outbox id order): a later event of a stream is not
sent until every earlier one was delivered or given up (``failed_at``).

- In one round a stream's claimed rows are sent one after another; after a
  failure the rest are held (``HELD``) until the failed one's retry.
- A row is claimed only when every earlier pending row of its stream is
  claimed with it: rows written after a failure, beyond the ``batch`` limit,
  or claimed meanwhile by another node (leased, or locked by a claim still
  in progress, which ``SKIP LOCKED`` hides) keep the later ones back. So any
  number of nodes deliver concurrently without overtaking each other.
- A node only starts a send that ends (``request_timeout``) before its claim's
  lease does: a row is never sent by its claimer after another node may have
  taken it over. The rest of the stream is released for the next round.

Ids follow commit order for the events of one execution (its state changes are
serialized by the engine's row locks, and a transaction writes its rows in the
order they happened); only events of concurrent transactions (parallel
sub-workflows) may commit out of id order, and they are delivered in the
order they became visible. Streams of different executions or targets do not
wait for each other: a dead webhook delays only its own events.

The webhook URL is chosen by whoever starts the execution (the operator), so
the egress policy of the ``std.http`` action (``LEVANTE_HTTP_DENIED_CIDRS``)
does not apply here: loopback webhooks work.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from levante.engine.notify_outbox import OUTBOX
from levante.store import Database
from levante.store.types import utc_now

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryConfig:
    """How notifications are delivered."""

    #: Rows claimed per round.
    batch: int = 20
    #: Longest sleep (s) between looks at the outbox when nothing is due.
    poll_interval: float = 1.0
    #: Seconds a claimed row stays hidden from other nodes while it is being sent.
    lease_seconds: float = 60.0
    #: Connect / total timeout of one POST (s).
    connect_timeout: float = 3.0
    request_timeout: float = 10.0
    #: Attempts before a row is marked failed.
    max_attempts: int = 8
    #: Backoff after the first failure (s), doubled each time, capped at ``max_delay``.
    first_delay: float = 1.0
    max_delay: float = 300.0

    def __post_init__(self) -> None:
        if self.request_timeout >= self.lease_seconds:
            raise ValueError(
                f"request_timeout ({self.request_timeout:g} s) must be shorter than "
                f"lease_seconds ({self.lease_seconds:g} s): a send must end within its claim")


@dataclass(frozen=True)
class Claimed:
    """A notification claimed for one delivery attempt."""

    id: int
    event: str
    root_execution_id: str
    payload: dict[str, Any]
    target: dict[str, Any]
    attempts: int

    @property
    def stream(self) -> Stream:
        """The events this one is ordered with (see :func:`stream_of`)."""
        return stream_of(self.root_execution_id, self.target)


#: One root execution's events to one target: delivered in order.
Stream = tuple[str, str]


def stream_of(root_execution_id: str, target: dict[str, Any] | None) -> Stream:
    """The stream of a row: its root execution and its target (as canonical JSON)."""
    return root_execution_id, json.dumps(target or {}, sort_keys=True)


#: The outcome of a notification not tried this round: an earlier one of its
#: stream failed, or its claim's lease would end before a send could.
HELD = "held back: an earlier event of this execution was not delivered"


class DeliveryRefused(Exception):
    """The target did not accept the notification (the message says why)."""


def retry_delay(attempts: int, config: DeliveryConfig) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1, 2, 4, ... capped)."""
    return min(config.max_delay, config.first_delay * 2 ** max(0, attempts - 1))


class NotificationDelivery:
    """The loop that sends due notifications (one per node; any number of nodes)."""

    def __init__(self, db: Database, *, config: DeliveryConfig | None = None,
                 clock: Callable[[], dt.datetime] = utc_now,
                 client: httpx.AsyncClient | None = None) -> None:
        """A delivery loop over ``db``; ``client`` lets tests supply the HTTP client."""
        self.db = db
        self.config = config or DeliveryConfig()
        self.clock = clock
        self._client = client
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (call on the loop's thread)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; database failures pause the loop, never end it."""
        client = self._client or self._new_client()
        try:
            while True:
                # Cleared before the round: a wake-up during it starts the next one at once.
                self._wake.clear()
                try:
                    handled = await self.deliver_due(client)
                except Exception:
                    # The database may be restarting: try again after a pause.
                    LOG.exception("notification delivery round failed")
                    handled = 0
                if handled:
                    continue
                try:
                    async with asyncio.timeout(self.config.poll_interval):
                        await self._wake.wait()
                except TimeoutError:
                    pass
        finally:
            if self._client is None:
                await client.aclose()

    def _new_client(self) -> httpx.AsyncClient:
        cfg = self.config
        return httpx.AsyncClient(
            timeout=httpx.Timeout(cfg.request_timeout, connect=cfg.connect_timeout),
            follow_redirects=False, trust_env=False)

    async def deliver_due(self, client: httpx.AsyncClient | None = None) -> int:
        """Claim the due notifications, send them, record the outcome; return how many."""
        # Sends must end before the lease does (taken before the claim: conservative).
        last_start = self.clock() + dt.timedelta(
            seconds=self.config.lease_seconds - self.config.request_timeout)
        claimed = await asyncio.to_thread(self.claim_due)
        if not claimed:
            return 0
        own = client is None
        client = client or self._client or self._new_client()
        streams: dict[Stream, list[Claimed]] = {}
        for n in claimed:
            streams.setdefault(n.stream, []).append(n)
        try:
            outcomes = await asyncio.gather(*(self._send_in_order(client, s, last_start)
                                              for s in streams.values()))
        finally:
            if own and self._client is None:
                await client.aclose()
        await asyncio.to_thread(self.settle, [o for group in outcomes for o in group])
        return len(claimed)

    async def _send_in_order(self, client: httpx.AsyncClient, group: list[Claimed],
                             last_start: dt.datetime) -> list[tuple[Claimed, str | None]]:
        """Send one stream's events one after another, in the order they happened.

        After a failure the later events wait for the failed one's retry
        (``HELD``), so a receiver never sees WORKFLOW_FAILED before TASK_FAILED.
        No send starts after ``last_start``: it could outlast the claim's lease.
        """
        outcomes: list[tuple[Claimed, str | None]] = []
        for i, n in enumerate(group):
            if self.clock() > last_start:
                outcomes += [(later, HELD) for later in group[i:]]
                break
            error = await self._send(client, n)
            outcomes.append((n, error))
            if error is not None:
                outcomes += [(later, HELD) for later in group[i + 1:]]
                break
        return outcomes

    def claim_due(self) -> list[Claimed]:
        """Claim up to ``batch`` due rows that head their streams; hide them for ``lease_seconds``.

        One transaction. A due row whose stream has an earlier row that is not
        due (backing off, or leased to a node sending it) is not even
        selected; one whose earlier row another claim holds right now is
        selected but dropped again (:func:`stream_heads`).
        """
        now = self.clock()
        earlier = OUTBOX.alias("earlier")
        waiting = exists().where(
            earlier.c.root_execution_id == OUTBOX.c.root_execution_id,
            earlier.c.target == OUTBOX.c.target, earlier.c.id < OUTBOX.c.id,
            earlier.c.failed_at.is_(None), earlier.c.next_attempt_at > now)
        stmt = (select(OUTBOX.c.id, OUTBOX.c.event, OUTBOX.c.root_execution_id,
                       OUTBOX.c.payload, OUTBOX.c.target, OUTBOX.c.attempts)
                .where(OUTBOX.c.failed_at.is_(None), OUTBOX.c.next_attempt_at <= now,
                       ~waiting)
                # Event order is id order: next_attempt_at of rows written in one
                # transaction may differ by the engine's strictly increasing stamps.
                .order_by(OUTBOX.c.id).limit(self.config.batch))
        if self.db.is_postgresql:
            stmt = stmt.with_for_update(skip_locked=True, of=OUTBOX)
        with self.db.transaction() as session:
            rows = [Claimed(r.id, r.event, r.root_execution_id, r.payload or {}, r.target or {},
                            r.attempts)
                    for r in session.execute(stmt)]
            rows = stream_heads(session, rows)
            if rows:
                lease = now + dt.timedelta(seconds=self.config.lease_seconds)
                session.execute(update(OUTBOX).where(OUTBOX.c.id.in_([r.id for r in rows]))
                                .values(next_attempt_at=lease))
        return rows

    async def _send(self, client: httpx.AsyncClient, n: Claimed) -> str | None:
        """POST one notification; None when accepted, else the reason."""
        try:
            # httpx's timeouts bound each read, not the whole exchange: a slowly
            # trickling answer must not outlast the claim (see ``deliver_due``).
            async with asyncio.timeout(self.config.request_timeout):
                await post_webhook(client, n)
        except TimeoutError:
            reason = f"no answer within {self.config.request_timeout:g} s"
            LOG.warning("notification %s (%s) not delivered: %s", n.id, n.event, reason)
            return reason
        except (DeliveryRefused, httpx.HTTPError) as exc:
            reason = str(exc) or type(exc).__name__
            LOG.warning("notification %s (%s) not delivered: %s", n.id, n.event, reason)
            return reason
        return None

    def settle(self, outcomes: list[tuple[Claimed, str | None]]) -> None:
        """Delete delivered rows; schedule a retry (or mark failed) for the others.

        A ``HELD`` row (not tried: an earlier event of its execution failed) is
        due again with that event's retry, its attempts unchanged.
        """
        now = self.clock()
        cfg = self.config
        retry_at: dict[Stream, dt.datetime] = {}
        with self.db.transaction() as session:
            done = [n.id for n, error in outcomes if error is None]
            if done:
                session.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(done)))
            for n, error in outcomes:
                if error is None:
                    continue
                if error is HELD:
                    session.execute(update(OUTBOX).where(OUTBOX.c.id == n.id).values(
                        next_attempt_at=retry_at.get(n.stream, now)))
                    continue
                attempts = n.attempts + 1
                values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
                if attempts >= cfg.max_attempts:
                    values["failed_at"] = now
                else:
                    values["next_attempt_at"] = now + dt.timedelta(
                        seconds=retry_delay(attempts, cfg))
                    retry_at[n.stream] = values["next_attempt_at"]
                session.execute(update(OUTBOX).where(OUTBOX.c.id == n.id).values(**values))


def stream_heads(session: Session, rows: list[Claimed]) -> list[Claimed]:
    """The rows of ``rows`` that every earlier pending row of their stream is also in.

    ``rows`` were locked with ``SKIP LOCKED``: an earlier row of the same
    stream that another node is claiming at this moment was skipped, not
    seen as taken. Reading the pending rows again (a fresh snapshot under
    READ COMMITTED) finds it, whether that claim has committed yet or not.
    """
    if not rows:
        return rows
    claimed = {n.id for n in rows}
    pending = session.execute(
        select(OUTBOX.c.id, OUTBOX.c.root_execution_id, OUTBOX.c.target)
        .where(OUTBOX.c.root_execution_id.in_({n.root_execution_id for n in rows}),
               OUTBOX.c.failed_at.is_(None), OUTBOX.c.id <= max(claimed))
        .order_by(OUTBOX.c.id))
    keep: set[int] = set()
    blocked: set[Stream] = set()
    for p in pending:
        stream = stream_of(p.root_execution_id, p.target)
        if stream in blocked:
            continue
        if p.id in claimed:
            keep.add(p.id)
        else:
            blocked.add(stream)
    return [n for n in rows if n.id in keep]


async def post_webhook(client: httpx.AsyncClient, n: Claimed) -> None:
    """Send one notification to its webhook; raise :class:`DeliveryRefused` unless 2xx."""
    kind = n.target.get("type")
    if kind != "webhook":
        raise DeliveryRefused(
            f"notify target type {kind!r} is not supported: use {{type: webhook, url: ...}}")
    url = n.target.get("url")
    if not isinstance(url, str) or not url:
        raise DeliveryRefused("notify target of type webhook has no 'url'")
    headers = {"Content-Type": "application/json",
               **{str(k): str(v) for k, v in (n.target.get("headers") or {}).items()}}
    try:
        response = await client.post(url, json=n.payload, headers=headers)
    except httpx.InvalidURL as exc:
        raise DeliveryRefused(f"bad webhook url {url!r}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryRefused(
            f"webhook {url} answered {response.status_code}: {response.text[:300]}")
