"""When a post goes out, as an admin picks it: quick choices and typed times, in the creator's time zone."""

import re
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

TONIGHT: Final = time(21, 0)
TOMORROW: Final = time(10, 0)
QUICK_HOUR: Final = "hora"
QUICK_TONIGHT: Final = "noche"
QUICK_TOMORROW: Final = "manana"
_TYPED = re.compile(r"^(?:(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s+)?(\d{1,2})[:.h](\d{2})$")


def quick_times(now: datetime, zone: ZoneInfo) -> dict[str, datetime]:
    """The quick choices at ``now``: in an hour, tonight at 21:00 (if still ahead), tomorrow at 10:00."""
    local = now.astimezone(zone)
    choices = {QUICK_HOUR: now + timedelta(hours=1)}
    tonight = datetime.combine(local.date(), TONIGHT, tzinfo=zone)
    if tonight > now:
        choices[QUICK_TONIGHT] = tonight
    choices[QUICK_TOMORROW] = datetime.combine(local.date() + timedelta(days=1), TOMORROW, tzinfo=zone)
    return choices


def typed_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A time as typed, in ``zone``: ``21:30`` (the next one), ``24/12 21:30``, ``24/12/2026 21:30``.

    Raises:
        ValueError: not one of those shapes, not a real date, or already past.
    """
    found = _TYPED.match(text.strip())
    if found is None:
        raise ValueError(text)
    day, month, year, hour, minute = (int(part) if part else None for part in found.groups())
    local = now.astimezone(zone)
    if day is None or month is None:
        at = datetime.combine(local.date(), time(hour or 0, minute or 0), tzinfo=zone)
        return at if at > now else at + timedelta(days=1)
    at = datetime(year or local.year, month, day, hour or 0, minute or 0, tzinfo=zone)
    if at <= now:
        raise ValueError(text)
    return at
