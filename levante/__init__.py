"""Levante: a Mistral-compatible workflow service for IT operations ("cloud cron")."""

__version__ = "0.1.0"
