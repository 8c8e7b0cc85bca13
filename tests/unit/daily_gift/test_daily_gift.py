"""The daily gift's rules on the in-memory backend: the draw by weight, the streak, the calendar day."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.contracts.inventory_catalog import ROSE, small_catalog
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import opened
from yabot_core.daily_gift import (
    DailyGift,
    DailyGiftContent,
    InvalidDailyGiftContentError,
    StreakRule,
    SurpriseGift,
)
from yabot_core.inventory import Mochila
from yabot_core.kernel import FakeClock, InvalidInputError, SequentialIds, UserId
from yabot_core.wallet import WalletService

FAN = UserId(77)
MEXICO = ZoneInfo("America/Mexico_City")


class Fixed:
    """A random source that returns the given values in turn."""

    def __init__(self, *values: float) -> None:
        self._values = list(values)

    def random(self) -> float:
        return self._values.pop(0)


def surprise(gift_id: str, weight: int, **extra: object) -> SurpriseGift:
    return SurpriseGift.model_validate({"id": gift_id, "peso": weight, **extra})


STREAK = StreakRule.model_validate({"base": 10, "incremento": 5, "tope": 20})


class TestContent:
    def test_the_draw_follows_the_weights(self) -> None:
        """With weights 1 and 3, the first quarter of [0, 1) draws the first surprise, the rest the second."""
        content = DailyGiftContent(STREAK, (surprise("a", 1), surprise("b", 3)))
        drawn = [content.draw(Fixed(value)) for value in (0.0, 0.2499, 0.25, 0.9999, 1.0)]
        assert [gift.id if gift else None for gift in drawn] == ["a", "a", "b", "b", "b"]
        assert DailyGiftContent(STREAK).draw(Fixed()) is None

    def test_the_streak_grows_by_its_increment_up_to_its_cap(self) -> None:
        """10, 15, 20, then 20 for ever."""
        assert [STREAK.besitos(day) for day in range(1, 6)] == [10, 15, 20, 20, 20]

    def test_a_cap_under_the_base_or_a_repeated_id_is_refused_in_spanish(self) -> None:
        """The content checks itself whole and lists every problem."""
        low = StreakRule.model_validate({"base": 10, "tope": 5})
        with pytest.raises(InvalidDailyGiftContentError) as caught:
            DailyGiftContent(low, (surprise("a", 1), surprise("a", 2)))
        assert [str(problem) for problem in caught.value.problems] == [
            "la racha: el tope (5) no puede ser menor que la base (10).",
            "sorpresa «a»: el id «a» ya lo usa la sorpresa n.º 1; cada id debe ser único.",
        ]


@pytest.fixture(name="storage")
async def storage_fixture(clock: FakeClock) -> AsyncIterator[InMemoryStorage]:
    async with opened(InMemoryStorage(clock)) as storage:
        yield storage


def gift_over(storage: InMemoryStorage, clock: FakeClock, random: Fixed) -> DailyGift:
    ids = SequentialIds("g")
    content = DailyGiftContent(STREAK, (surprise("nada", 1), surprise("rosa", 1, objeto=ROSE, besitos=3)))
    return DailyGift(
        storage.transactions,
        storage.daily_gift_queries,
        WalletService(storage.transactions, storage.wallet_queries, clock, ids),
        Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids),
        content,
        clock=clock,
        ids=ids,
        random=random,
        zone=MEXICO,
    )


class TestClaims:
    async def test_the_day_is_the_bot_time_zones(self, storage: InMemoryStorage, clock: FakeClock) -> None:
        """23:59 and 00:01 in Mexico City are two days, though both fall on one UTC day."""
        clock.set(datetime(2026, 3, 10, 5, 59, tzinfo=UTC))  # 23:59 on the 9th in Mexico City
        gift = gift_over(storage, clock, Fixed(0.1, 0.9))
        first = await gift.claim(FAN)
        assert (first.claim.day, first.wait) == (date(2026, 3, 9), timedelta(minutes=1))
        clock.advance(timedelta(minutes=2))
        second = await gift.claim(FAN)
        assert second.fresh
        assert (second.claim.day, second.claim.streak, second.claim.besitos) == (date(2026, 3, 10), 2, 18)
        assert second.claim.item_id == ROSE
        assert await gift.last_claim(FAN) == second.claim
        assert (await storage.wallet_queries.balance(FAN)).balance == 10 + 18

    async def test_a_bad_fan_id_is_refused_and_nothing_changes(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A non-positive id is an InvalidInputError with a Spanish message; no claim is made."""
        gift = gift_over(storage, clock, Fixed())
        with pytest.raises(InvalidInputError):
            await gift.claim(UserId(0))
        assert await storage.daily_gift_queries.last_claim(UserId(0)) is None
