"""Text from users printed on a terminal or in a log never carries raw control characters."""

import logging

from yabot_app.terminal import PrintableFormatter, printable


def test_control_and_reordering_characters_are_escaped() -> None:
    """ESC, BEL, C1 controls and bidi overrides become visible escapes; newlines, tabs and accents stay."""
    assert printable("Ana\x1b]0;x\x07\x9b\u202e ñ\n\tó") == "Ana\\x1b]0;x\\x07\\x9b\\u202e ñ\n\tó"


def test_log_lines_escape_what_the_message_interpolated() -> None:
    """A log record interpolating a hostile name is formatted without the raw escape sequence."""
    record = logging.LogRecord("yabot", logging.INFO, __file__, 1, "hola %s", ("Eva\x1b[2J",), None)
    assert PrintableFormatter("%(message)s").format(record) == "hola Eva\\x1b[2J"
