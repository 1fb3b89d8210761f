"""Persistence: models, migrations, repositories and the work queue (SQLite or PostgreSQL).

Start with :class:`levante.store.db.Database`; repositories are plain
functions taking a SQLAlchemy ``Session`` from ``Database.transaction()``.
See docs/design/execution-model.md for what is stored and why.
"""

from levante.store.db import Database
from levante.store.errors import (
    ConflictError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
    StoreError,
)

__all__ = [
    "ConflictError",
    "Database",
    "DuplicateError",
    "InvalidQueryError",
    "NotFoundError",
    "StoreError",
]
