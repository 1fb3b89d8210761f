"""The ``levante`` CLI's Mistral-named commands, talking to a Levante server over REST API v2.

``http`` is the one HTTP client, ``output`` renders tables/JSON/YAML, ``base``
holds what all commands share, and each other module adds one resource
family's commands (registered in :data:`levante.cli.main.COMMAND_MODULES`).
"""
