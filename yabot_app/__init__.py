"""The composition root, settings, CLI and lifecycle of the ready-to-run YABOT."""
