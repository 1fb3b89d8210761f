"""Row ids: valid UUIDs, ordered by creation time; derived ids the same for the same key."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from levante.store.ids import derived_id, new_id


def test_a_new_id_is_a_version_7_uuid_in_text_form() -> None:
    value = new_id()
    parsed = uuid.UUID(value)
    assert str(parsed) == value and len(value) == 36
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    milliseconds = parsed.int >> 80
    assert abs(milliseconds - time.time() * 1000) < 5_000


def test_ids_made_later_sort_later_and_never_repeat() -> None:
    earlier = [new_id() for _ in range(1000)]
    time.sleep(0.002)
    later = new_id()
    assert all(later > e for e in earlier)
    assert len(set(earlier)) == len(earlier)


def test_a_derived_id_is_the_same_for_the_same_key_and_moment() -> None:
    at = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
    same = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert derived_id("trigger a", at) == derived_id("trigger a", same)
    assert derived_id("trigger a", at) != derived_id("trigger b", at)
    assert derived_id("trigger a", at) != derived_id("trigger a", at + dt.timedelta(minutes=1))
    parsed = uuid.UUID(derived_id("trigger a", at))
    assert parsed.version == 8 and parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == int(at.timestamp()) * 1000  # the moment comes first


def test_derived_ids_of_later_moments_sort_later() -> None:
    at = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
    assert max(derived_id(f"t{i}", at) for i in range(100)) < min(
        derived_id(f"t{i}", at + dt.timedelta(seconds=1)) for i in range(100))


def test_a_forked_child_makes_ids_of_its_own() -> None:
    import os

    new_id()  # the parent has random bytes waiting
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, "".join(new_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    theirs = os.read(read, 4096).decode()
    os.close(read)
    ours = "".join(new_id() for _ in range(5))
    child_ids = {theirs[i:i + 36] for i in range(0, len(theirs), 36)}
    assert len(child_ids) == 5
    assert not child_ids & {ours[i:i + 36] for i in range(0, len(ours), 36)}
    assert not {i[24:] for i in child_ids} & {ours[i + 24:i + 36] for i in range(0, 180, 36)}
