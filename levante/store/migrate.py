"""Running the packaged alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from levante.store.models import Base

#: Folder of env.py and versions/.
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: Any fixed number: the PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK_ID = 0x1E7A17E


def alembic_config() -> Config:
    """An alembic Config pointing at Levante's packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of ``engine``'s database to ``revision``.

    Safe when several processes start at once: on PostgreSQL they take turns on
    an advisory lock; on SQLite the write transaction (BEGIN IMMEDIATE) does it.
    """
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            lock = text("SELECT pg_advisory_xact_lock(:id)")
            connection.execute(lock, {"id": _MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences(engine: Engine) -> list[Any]:
    """What alembic's autogenerate would change to make the database match the models.

    An empty list means the migrations produce exactly the models' schema.
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=comparison_options())
        return list(compare_metadata(context, Base.metadata))


def comparison_options() -> dict[str, Any]:
    """Options shared by env.py's autogenerate and ``schema_differences``."""
    return {"compare_type": True, "compare_server_default": False, "render_as_batch": True}
