r"""Text from users (names, notes, error texts) made safe to print on an operator's terminal or in a log.

A Telegram first name may hold ESC or OSC sequences: printed raw, it could retitle the terminal, hide lines or
fake output. Control and bidirectional-override characters are shown escaped instead (``\x1b``, as text).
"""

import logging
import re
from typing import Final

_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (tab and newline excepted) and the marks that reorder text on screen."""


def printable(text: str) -> str:
    """Return ``text`` with every control or reordering character written as an escape."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class PrintableFormatter(logging.Formatter):
    """A log formatter whose lines carry no raw control characters, whatever the message interpolated."""

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then escape what a terminal would execute."""
        return printable(super().format(record))
