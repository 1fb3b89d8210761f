"""Errors raised by the store; each names what was looked for or what clashed."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class NotFoundError(StoreError):
    """A row that was asked for does not exist (REST: 404).

    ``kind`` names the resource ("Workflow definition", "Task execution", ...)
    and ``key`` how it was looked for, so the message says what is missing.
    """

    def __init__(self, kind: str, **key: object) -> None:
        self.kind = kind
        self.key = dict(key)
        shown = ", ".join(f"{name}={value!r}" for name, value in key.items())
        super().__init__(f"{kind} not found [{shown}]")


class DuplicateError(StoreError):
    """A row would break a uniqueness rule (REST: 409 Conflict).

    ``kind`` names the resource and ``key`` the fields that must be unique.
    """

    def __init__(self, kind: str, **key: object) -> None:
        self.kind = kind
        self.key = dict(key)
        shown = ", ".join(f"{name}={value!r}" for name, value in key.items())
        super().__init__(f"Duplicate {kind} [{shown}]: one with these values already exists")


class InvalidQueryError(StoreError):
    """A list query cannot be run: unknown field, bad filter, bad sort or paging (REST: 400)."""


class ConflictError(StoreError):
    """A conditional change lost to a concurrent one and cannot be applied (REST: 409)."""
