"""A fan's daily gift over HTTP: claimed today or not, the streak alive, when the next one opens.

Its response schema lives here too: it belongs to the daily gift module, which owns this file.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from yabot_adapters.http.auth import USER_DATA, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_core.daily_gift import DailyGift, GiftStatus
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory


@dataclass(frozen=True, slots=True)
class DailyGiftBody:
    """Where a user stands with the daily gift."""

    user_id: int
    claimed_today: bool
    streak: int
    """Consecutive days up to the last claim, while it is alive (claimed today or yesterday); else 0."""
    next_at: datetime
    """When the user may claim next: now if today's gift waits, else midnight in the bot's time zone."""
    last_claim_day: date | None
    last_claim_besitos: int | None

    @classmethod
    def of(cls, status: GiftStatus) -> Self:
        """Project the status onto what the API publishes."""
        last = status.last_claim
        return cls(
            user_id=status.user_id,
            claimed_today=status.claimed_today,
            streak=status.streak,
            next_at=status.next_at,
            last_claim_day=None if last is None else last.day,
            last_claim_besitos=None if last is None else last.besitos,
        )


_EXAMPLE: Final = {
    "user_id": 42,
    "claimed_today": True,
    "streak": 3,
    "next_at": "2026-01-02T06:00:00Z",
    "last_claim_day": "2026-01-01",
    "last_claim_besitos": 12,
}

DAILY_GIFT: Final = ResponseSpec(
    DailyGiftBody,
    description="El regalo diario del usuario.",
    generate_examples=False,
    examples=[Example(summary="Recogido hoy, tercer día de racha", value=_EXAMPLE)],
)


def daily_gift_controller(gift: DailyGift, users: UserDirectory) -> type[Controller]:
    """The daily gift controller over ``gift`` (bound here once, not resolved on every request)."""

    class DailyGiftController(Controller):
        """A user's daily gift."""

        path = "/users"
        tags = ["regalo diario"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(USER_DATA)
        @get(
            "/{user_id:str}/daily-gift",
            summary="Consultar el regalo diario de un usuario",
            description=(
                "Dice si el usuario ya recogió el regalo de hoy (el día de `YABOT_TIMEZONE`), cuántos días "
                "seguidos lleva y cuándo podrá recoger el siguiente. Recogerlo es cosa del bot (`/regalo`)."
            ),
            responses={200: DAILY_GIFT, **API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def daily_gift(self, user_id: UserIdInPath) -> DailyGiftBody:
            """Answer only for registered users, so a typo in an id is a 404."""
            user = await users.get(UserId(user_id))
            return DailyGiftBody.of(await gift.status(user.user_id))

    return DailyGiftController
