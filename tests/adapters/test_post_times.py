"""The times an admin picks for a post: quick choices and typed times, read in the creator's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from yabot_adapters.telegram.routers.post_times import (
    QUICK_HOUR,
    QUICK_TOMORROW,
    QUICK_TONIGHT,
    quick_times,
    typed_time,
)

MADRID = ZoneInfo("Europe/Madrid")
AFTERNOON = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 16:00 in Madrid
LATE = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)  # 22:00 in Madrid


def test_quick_choices_are_read_in_the_creators_zone() -> None:
    """In an hour; tonight at 21:00 and tomorrow at 10:00 on Madrid's clock, not the server's."""
    choices = quick_times(AFTERNOON, MADRID)
    assert choices[QUICK_HOUR] == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert choices[QUICK_TONIGHT] == datetime(2026, 11, 29, 21, 0, tzinfo=MADRID)
    assert choices[QUICK_TOMORROW] == datetime(2026, 11, 30, 10, 0, tzinfo=MADRID)


def test_tonight_is_not_offered_once_it_has_passed() -> None:
    """At 22:00 there is no "tonight at 21:00" left."""
    assert QUICK_TONIGHT not in quick_times(LATE, MADRID)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("21:30", datetime(2026, 11, 29, 21, 30, tzinfo=MADRID)),
        ("9.05", datetime(2026, 11, 30, 9, 5, tzinfo=MADRID)),  # already past today: tomorrow's
        ("24/12 21:30", datetime(2026, 12, 24, 21, 30, tzinfo=MADRID)),
        (" 1/1/2027 0:00 ", datetime(2027, 1, 1, 0, 0, tzinfo=MADRID)),
    ],
)
def test_typed_times_are_read_in_the_creators_zone(typed: str, expected: datetime) -> None:
    """An hour alone is the next one; a day without a year is this year's."""
    assert typed_time(typed, AFTERNOON, MADRID) == expected


@pytest.mark.parametrize("typed", ["mañana", "25:00", "31/02 10:00", "1/11 10:00", "21:30 24/12", ""])
def test_nonsense_and_past_times_are_refused(typed: str) -> None:
    """Not a time, not a real date, or a day already gone: refused (the screen asks again)."""
    with pytest.raises(ValueError):  # noqa: PT011  (its only message is the text typed)
        typed_time(typed, AFTERNOON, MADRID)
