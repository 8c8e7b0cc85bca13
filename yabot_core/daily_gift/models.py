"""A fan's claims of the daily gift, one per calendar day, and what a claim attempt tells the fan."""

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.inventory import ItemId
from yabot_core.kernel import UserId
from yabot_core.wallet import LedgerReason

DAILY_GIFT: Final = LedgerReason.define("daily_gift", "Regalo diario")
"""The ledger reason of the day's besitos; also the mochila's reason for the day's item."""


class DailyClaim(BaseModel):
    """One fan's gift of one day (in the bot's time zone): storage keeps at most one per (user, day).

    ``besitos`` is what was credited in all: ``streak_besitos`` plus the surprise's. ``item_id`` is the
    surprise's item, ``None`` when it had none or the mochila could not take one more of it.
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    day: date
    streak: int = Field(ge=1)
    besitos: int = Field(ge=1)
    streak_besitos: int = Field(ge=1)
    gift_id: str | None = None
    item_id: ItemId | None = None
    quantity: int = Field(default=0, ge=0)
    entry_id: str
    claimed_at: AwareDatetime


class ReminderSetting(BaseModel):
    """Whether a fan wants Lucien's evening reminder, and the last day one went out (never two a day).

    ``version`` moves by one with each save, so storage refuses a stale write.
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    enabled: bool
    reminded_day: date | None = None
    version: int = Field(ge=1)


class ClaimResult(BaseModel):
    """What ``/regalo`` led to: today's claim, whether this call made it, and when the next one opens."""

    model_config = ConfigDict(frozen=True)

    claim: DailyClaim
    fresh: bool
    """``True`` when this call claimed; ``False`` when the fan had claimed today already (nothing changed)."""
    next_at: AwareDatetime
    """The start of tomorrow in the bot's time zone: when the next gift may be claimed."""
    now: AwareDatetime

    @property
    def wait(self) -> timedelta:
        """How long until the next gift (zero once it is due)."""
        return max(self.next_at - self.now, timedelta(0))


class GiftStatus(BaseModel):
    """Where a fan stands with the daily gift now: claimed today or not, the streak alive, the next chance."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    claimed_today: bool
    streak: int
    """Consecutive days up to the last claim if it was today or yesterday (the streak lives on); else 0."""
    last_claim: DailyClaim | None
    next_at: AwareDatetime
    """When the fan may claim next: now if today's gift waits, else the start of tomorrow."""


def day_of(moment: datetime, zone: tzinfo) -> date:
    """The calendar day ``moment`` falls on in ``zone``."""
    return moment.astimezone(zone).date()


def start_of(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (aware, in ``zone``)."""
    return datetime.combine(day, time(0), tzinfo=zone)
