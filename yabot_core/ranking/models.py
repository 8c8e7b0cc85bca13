"""The ranking's records: besitos earned per fan and period, and where a fan stands.

A period is ``total`` (all time) or an ISO week in the bot's time zone (``2026-W48``, weeks start on
Monday). Earned means credited: every ``BesitosAwarded`` counts, once; what a fan spends or holds in escrow
never lowers it, and refunds of escrow (``BesitosReleased``) are not earnings.
"""

from datetime import datetime, tzinfo
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from yabot_core.kernel import UserId

ALL_TIME: Final = "total"
"""The period that never ends."""


def week_of(moment: datetime, zone: tzinfo) -> str:
    """The ISO week ``moment`` falls in, in ``zone``: ``2026-W48``."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


class Score(BaseModel):
    """Besitos one fan earned in one period."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    earned: int = Field(ge=0)


class Placed(BaseModel):
    """A fan's place in a period: 1 + how many visible fans earned more (ties share a place)."""

    model_config = ConfigDict(frozen=True)

    place: int = Field(ge=1)
    user_id: UserId
    earned: int = Field(ge=0)


class Table(BaseModel):
    """One period's leaders and, when asked for one fan, where that fan stands (``None``: nothing earned)."""

    model_config = ConfigDict(frozen=True)

    period: str
    leaders: tuple[Placed, ...]
    me: Placed | None = None


class Board(BaseModel):
    """What ``/ranking`` shows a fan: this week's table, the all-time one, and whether they hide."""

    model_config = ConfigDict(frozen=True)

    week: Table
    all_time: Table
    hidden: bool
