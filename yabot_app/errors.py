"""Errors the serving process and the ``yabot`` commands share (no imports: neither pulls in the other)."""


class StartupError(Exception):
    """A piece could not start; the message is Spanish and meant for the operator."""
