"""``python -m levante`` is the ``levante`` command."""

import sys

from levante.cli.main import main

sys.exit(main())
