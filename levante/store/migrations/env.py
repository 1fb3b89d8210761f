"""Alembic environment: runs with the connection Levante hands it (see levante.store.migrate).

From the command line (only to write a new revision), set ``LEVANTE_DB_URL``:
``LEVANTE_DB_URL=sqlite:///x.db alembic -c <ini pointing here> revision --autogenerate``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from levante.store.migrate import comparison_options
from levante.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    url = os.environ.get("LEVANTE_DB_URL", "sqlite:///levante-migrations.db")
    with create_engine(url).begin() as own_connection:
        context.configure(
            connection=own_connection, target_metadata=Base.metadata, **comparison_options()
        )
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, **comparison_options())
    context.run_migrations()
