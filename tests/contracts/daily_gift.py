"""The daily gift's storage on every backend: one claim per (user, day), the latest found, and the race.

Fifty simultaneous claims by one fan make one gift: storage refuses the second claim of a day, so the
losers' retried work finds the winner's claim and changes nothing.
"""

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.inventory_catalog import KEY, ROSE, small_catalog
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.daily_gift import (
    DAILY_GIFT,
    DailyClaim,
    DailyGift,
    DailyGiftClaimed,
    DailyGiftContent,
    ReminderSetting,
    StreakRule,
    SurpriseGift,
)
from yabot_core.inventory import ItemAdded, ItemId, Mochila
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, SequentialIds, UserId
from yabot_core.wallet import BesitosAwarded, WalletService

FANS_CLAIMS: Final = 50
DAY: Final = date(2026, 1, 1)


def content(*gifts: SurpriseGift) -> DailyGiftContent:
    """Ten besitos on a streak's first day, five more each day after, twenty at most."""
    streak = StreakRule.model_validate({"base": 10, "incremento": 5, "tope": 20})
    return DailyGiftContent(streak, gifts)


ROSE_GIFT: Final = SurpriseGift.model_validate({"id": "rosa", "peso": 1, "besitos": 2, "objeto": ROSE})


def daily_gift(storage: StorageBackend, clock: FakeClock, gifts: DailyGiftContent) -> DailyGift:
    """The daily gift over ``storage``, in UTC, drawing from a seeded source."""
    ids = SequentialIds("d")
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    mochila = Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids)
    return DailyGift(
        storage.transactions,
        storage.daily_gift_queries,
        wallet,
        mochila,
        gifts,
        clock=clock,
        ids=ids,
        random=random.Random(7),
        zone=UTC,
    )


def claim(day: date, user: UserId = ALICE, streak: int = 1, item: str | None = None) -> DailyClaim:
    return DailyClaim(
        user_id=user,
        day=day,
        streak=streak,
        besitos=12,
        streak_besitos=10,
        gift_id="rosa" if item else None,
        item_id=ItemId(item) if item else None,
        quantity=1 if item else 0,
        entry_id=f"e-{user}-{day}",
        claimed_at=datetime.combine(day, time(9, 30), tzinfo=UTC),
    )


async def add(storage: StorageBackend, *claims: DailyClaim, fail: bool = False) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        for each in claims:
            await uow.daily_gifts.add_claim(each)
        if fail:
            raise BoomError

    await storage.transactions.run(work)


async def last(storage: StorageBackend, user: UserId = ALICE) -> DailyClaim | None:
    async def work(uow: StorageUnitOfWork) -> DailyClaim | None:
        return await uow.daily_gifts.last_claim(user)

    return await storage.transactions.run(work)


class DailyGiftContract(ContractBase):
    """What every backend's daily gift slice must do."""

    async def test_a_fan_who_never_claimed_has_no_claim(self, storage: StorageBackend) -> None:
        """No claim is found, in a unit of work or outside one."""
        assert await last(storage) is None
        assert await storage.daily_gift_queries.last_claim(ALICE) is None

    async def test_claims_are_stored_whole_and_the_latest_day_is_found(self, storage: StorageBackend) -> None:
        """The latest claim is the one of the latest day, whatever order they were stored in; per user."""
        first, third, second = (
            claim(DAY),
            claim(DAY + timedelta(days=2), item=ROSE),
            claim(DAY + timedelta(1)),
        )
        await add(storage, first, third)
        await add(storage, second, claim(DAY, BOB))
        assert await last(storage) == third
        assert await storage.daily_gift_queries.last_claim(ALICE) == third
        assert await storage.daily_gift_queries.last_claim(BOB) == claim(DAY, BOB)

    async def test_a_second_claim_of_a_day_is_a_concurrent_update_and_nothing_is_kept(
        self, storage: StorageBackend
    ) -> None:
        """Two claims of one (user, day) never both exist; the failed work's other claims are undone too."""
        await add(storage, claim(DAY))
        with pytest.raises(ConcurrentUpdateError):
            await add(storage, claim(DAY, BOB), claim(DAY, streak=2))
        assert await storage.daily_gift_queries.last_claim(ALICE) == claim(DAY)
        assert await storage.daily_gift_queries.last_claim(BOB) is None
        with pytest.raises(BoomError):
            await add(storage, claim(DAY + timedelta(days=1)), fail=True)
        assert await storage.daily_gift_queries.last_claim(ALICE) == claim(DAY)

    async def test_a_claim_pays_its_streak_and_surprise_in_one_commit(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Claim, credit, item and events commit together; the same day again changes nothing."""
        gift = daily_gift(storage, clock, content(ROSE_GIFT))
        result = await gift.claim(ALICE)
        assert result.fresh
        assert (result.claim.streak, result.claim.besitos, result.claim.item_id) == (1, 12, ROSE)
        assert await storage.daily_gift_queries.last_claim(ALICE) == result.claim
        assert (await storage.wallet_queries.balance(ALICE)).balance == 12
        assert await storage.inventory_queries.quantities(ALICE, [ROSE]) == {ROSE: 1}
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds == [ItemAdded, BesitosAwarded, DailyGiftClaimed]

        clock.advance(timedelta(hours=11, minutes=30))
        again = await gift.claim(ALICE)
        assert not again.fresh
        assert again.claim == result.claim
        assert again.wait == timedelta(minutes=30)  # the clock starts at 12:00 UTC: midnight is 30 min off
        assert len(await recorded_events(storage)) == len(kinds)
        assert (await storage.wallet_queries.balance(ALICE)).balance == 12

    async def test_the_streak_grows_day_by_day_to_its_cap_and_a_missed_day_restarts_it(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """10, 15, 20, 20 besitos on four days in a row; after a day missed, 10 again."""
        gift = daily_gift(storage, clock, content())
        paid = []
        for _ in range(4):
            paid.append((await gift.claim(ALICE)).claim)
            clock.advance(timedelta(days=1))
        clock.advance(timedelta(days=1))
        paid.append((await gift.claim(ALICE)).claim)
        assert [(c.streak, c.besitos) for c in paid] == [(1, 10), (2, 15), (3, 20), (4, 20), (1, 10)]
        statement = await storage.wallet_queries.statement(ALICE, limit=10, offset=0)
        assert statement.balance.balance == sum(c.besitos for c in paid)
        assert {entry.reason for entry in statement.history.entries} == {DAILY_GIFT}

    async def test_an_item_the_mochila_cannot_take_is_left_out_and_the_besitos_paid(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A non-stackable item already held stays single; the claim still pays its besitos."""
        key_gift = SurpriseGift.model_validate({"id": "llave", "peso": 1, "objeto": KEY})
        gift = daily_gift(storage, clock, content(key_gift))
        assert (await gift.claim(ALICE)).claim.item_id == KEY
        clock.advance(timedelta(days=1))
        second = (await gift.claim(ALICE)).claim
        assert (second.item_id, second.quantity, second.besitos) == (None, 0, 15)
        assert await storage.inventory_queries.quantities(ALICE, [KEY]) == {KEY: 1}

    async def test_fifty_simultaneous_claims_by_one_fan_make_one_gift(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """One fresh claim, one ledger entry, one item, one event: the forty-nine others change nothing."""
        gift = daily_gift(storage, clock, content(ROSE_GIFT))
        results = await asyncio.gather(*(gift.claim(ALICE) for _ in range(FANS_CLAIMS)))
        fresh = [result for result in results if result.fresh]
        assert len(fresh) == 1
        assert all(result.claim == fresh[0].claim for result in results)
        statement = await storage.wallet_queries.statement(ALICE, limit=10, offset=0)
        assert statement.history.total == 1
        assert statement.balance.balance == sum(e.amount for e in statement.history.entries) == 12
        assert await storage.inventory_queries.quantities(ALICE, [ROSE]) == {ROSE: 1}
        claimed = [e for e in await recorded_events(storage) if isinstance(e, DailyGiftClaimed)]
        assert len(claimed) == 1

    async def test_reminder_settings_move_from_their_version(self, storage: StorageBackend) -> None:
        """Version 1 creates a setting, each later version replaces the one before; a stale one is refused."""

        async def save(*settings: ReminderSetting) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                for setting in settings:
                    await uow.daily_gifts.save_reminder(setting)

            await storage.transactions.run(work)

        on = ReminderSetting(user_id=ALICE, enabled=True, version=1)
        reminded = ReminderSetting(user_id=ALICE, enabled=True, reminded_day=DAY, version=2)
        await save(on)
        await save(reminded)
        for stale in (on, reminded.model_copy(update={"version": 4})):
            with pytest.raises(ConcurrentUpdateError):
                await save(ReminderSetting(user_id=BOB, enabled=True, version=1), stale)
        assert await storage.daily_gift_queries.reminder(ALICE) == reminded
        assert await storage.daily_gift_queries.reminder(BOB) is None
