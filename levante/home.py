"""Where Levante keeps its files: the home folder and the default database in it.

Standard library only, so that commands that only need the path (``levante
server --help``, the SSH actions' known_hosts file) import nothing heavier.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the Levante home folder.
HOME_ENV = "LEVANTE_HOME"
#: Home folder used when ``$LEVANTE_HOME`` is not set (relative to the working directory).
DEFAULT_HOME = ".levante"
#: File name of the default SQLite database inside the home folder.
DEFAULT_DB_FILE = "levante.db"


def levante_home() -> Path:
    """The Levante home folder: ``$LEVANTE_HOME`` or ``./.levante``."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)


def default_url() -> str:
    """URL of the default database: ``levante.db`` in the Levante home folder."""
    return f"sqlite:///{levante_home() / DEFAULT_DB_FILE}"
