"""What importing the lifecycle costs: the serving process's pieces, not the command line."""

import subprocess
import sys

PROBE = """
import sys
import yabot_app.lifecycle
print(sorted(name for name in sys.modules if name.startswith("yabot_app.cli")))
"""

GUARD = 60.0
"""Seconds before a child interpreter counts as hung (a hang guard, never a timing assert)."""


def test_importing_the_lifecycle_loads_no_command_line() -> None:
    """The lifecycle shares only its error type with the CLI: importing it loads no click command module."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=GUARD
    )
    assert done.stdout.strip() == "[]"
