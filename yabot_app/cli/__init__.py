"""The ``yabot`` command line (Spanish)."""

from yabot_app.cli.main import cli, main

__all__ = ["cli", "main"]
