"""The in-process queue for SQLite's single writer: first come, first served, reentrant."""

from __future__ import annotations

import threading

import pytest

from levante.store.writer_lock import WriterLock


def _wait_until_queued(lock: WriterLock, count: int) -> None:
    for _ in range(10_000):
        if len(lock._waiters) >= count:
            return
        threading.Event().wait(0.001)
    raise AssertionError(f"{count} waiters never queued")


def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = WriterLock()
    order: list[int] = []
    assert lock.acquire()

    def take(i: int) -> None:
        with lock.held(5.0) as taken:
            assert taken
            order.append(i)

    threads = []
    for i in range(6):
        thread = threading.Thread(target=take, args=(i,))
        thread.start()
        _wait_until_queued(lock, i + 1)
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join()
    assert order == list(range(6))


def test_the_owner_takes_it_again_and_frees_it_at_the_last_release() -> None:
    lock = WriterLock()
    assert lock.acquire() and lock.acquire()
    lock.release()
    outside: list[bool] = []
    thread = threading.Thread(target=lambda: outside.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join()
    assert outside == [False]  # still held once
    lock.release()
    assert not lock._waiters and lock.acquire(timeout=0)


def test_a_waiter_that_times_out_leaves_the_queue() -> None:
    lock = WriterLock()
    lock.acquire()
    with_timeout: list[bool] = []
    thread = threading.Thread(target=lambda: with_timeout.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join()
    assert with_timeout == [False] and not lock._waiters
    lock.release()


def test_only_the_owner_releases() -> None:
    lock = WriterLock()
    lock.acquire()
    errors: list[Exception] = []

    def release() -> None:
        try:
            lock.release()
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=release)
    thread.start()
    thread.join()
    assert len(errors) == 1
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()
