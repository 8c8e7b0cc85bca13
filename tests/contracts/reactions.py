"""Reactions' storage on every backend: one record per (fan, message), daily counts, tallies, and races.

A fan's first reaction to a message pays once, however often Telegram delivers it, however the fan changes
or removes it, and however many copies of it race.
"""

import asyncio
from datetime import UTC, date, timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.inventory_catalog import LEFT, small_catalog
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.inventory import Mochila
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, SequentialIds, UserId
from yabot_core.reactions import (
    REACTION_REWARD,
    PostReaction,
    ReactionDay,
    ReactionDetected,
    ReactionRules,
    Reactions,
    ReactionSource,
)
from yabot_core.wallet import WalletService

CHANNEL = -1001
RACERS = 100
KISS = "💋"


def rules(**fields: object) -> ReactionRules:
    """Two besitos a reaction, three paid a day; 💋 also gives half a letter (a pista)."""
    return ReactionRules.model_validate(
        {
            "besitos": 2,
            "tope_diario": 3,
            "botones": ["❤️", "🔥", KISS],
            "especiales": [{"emoji": KISS, "objeto": LEFT}],
            **fields,
        }
    )


def reactions_over(storage: StorageBackend, clock: FakeClock, **fields: object) -> Reactions:
    """The reactions over ``storage``, in UTC."""
    ids = SequentialIds("r")
    return Reactions(
        storage.transactions,
        storage.reaction_queries,
        WalletService(storage.transactions, storage.wallet_queries, clock, ids),
        Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids),
        rules=rules(**fields),
        clock=clock,
        ids=ids,
        zone=UTC,
    )


def reaction(clock: FakeClock, version: int, emoji: str | None = "❤️", message: int = 1) -> PostReaction:
    return PostReaction(
        user_id=ALICE,
        chat_id=CHANNEL,
        message_id=message,
        emoji=emoji,
        source=ReactionSource.CHANNEL,
        first_at=clock.now(),
        besitos=2,
        version=version,
    )


async def paid(storage: StorageBackend, user: UserId = ALICE) -> list[int]:
    statement = await storage.wallet_queries.statement(user, limit=100, offset=0)
    return [entry.amount for entry in statement.history.entries if entry.reason == REACTION_REWARD]


class ReactionsContract(ContractBase):
    """What every backend's reactions slice must do."""

    async def test_reactions_move_from_their_version_and_stale_ones_are_refused(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Version 1 creates, each later version replaces the one before; a failed work keeps nothing."""

        async def save(*records: PostReaction, fail: bool = False) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                for record in records:
                    await uow.reactions.save(record)
                if fail:
                    raise BoomError

            await storage.transactions.run(work)

        async def stored(message: int = 1) -> PostReaction | None:
            async def work(uow: StorageUnitOfWork) -> PostReaction | None:
                return await uow.reactions.get(ALICE, CHANNEL, message)

            return await storage.transactions.run(work)

        assert await stored() is None
        await save(reaction(clock, 1))
        await save(reaction(clock, 2, emoji=None))
        for stale in (reaction(clock, 1), reaction(clock, 4)):
            with pytest.raises(ConcurrentUpdateError):
                await save(reaction(clock, 1, message=2), stale)
        with pytest.raises(BoomError):
            await save(reaction(clock, 3, emoji="🔥"), fail=True)
        assert await stored() == reaction(clock, 2, emoji=None)
        assert await stored(2) is None

    async def test_days_count_from_their_version(self, storage: StorageBackend) -> None:
        """A day's count is created at version 1 and moves one version at a time."""
        today = date(2026, 1, 31)

        async def run(*records: ReactionDay) -> ReactionDay | None:
            async def work(uow: StorageUnitOfWork) -> ReactionDay | None:
                for record in records:
                    await uow.reactions.save_day(record)
                return await uow.reactions.day(ALICE, today)

            return await storage.transactions.run(work)

        assert await run() is None
        await run(ReactionDay(user_id=ALICE, day=today, paid=1, version=1))
        with pytest.raises(ConcurrentUpdateError):
            await run(ReactionDay(user_id=ALICE, day=today, paid=1, version=1))
        assert await run(ReactionDay(user_id=ALICE, day=today, paid=2, version=2)) == ReactionDay(
            user_id=ALICE, day=today, paid=2, version=2
        )

    async def test_a_first_reaction_pays_once_and_changes_pay_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A redelivery, a change, a removal and a new reaction to the same message pay no more."""
        reactions = reactions_over(storage, clock)
        first = await reactions.react(ALICE, CHANNEL, 7, "❤️", ReactionSource.GROUP)
        assert (first.first, first.besitos) == (True, 2)
        for emoji in ("❤️", "🔥", None, KISS):
            again = await reactions.react(ALICE, CHANNEL, 7, emoji, ReactionSource.GROUP)
            assert (again.first, again.besitos, again.item_id) == (False, 0, None)
        assert await paid(storage) == [2]
        assert await reactions.tally(CHANNEL, 7) == {KISS: 1}
        detected = [e for e in await recorded_events(storage) if isinstance(e, ReactionDetected)]
        assert [(e.user_id, e.message_id, e.emoji, e.besitos) for e in detected] == [(ALICE, 7, "❤️", 2)]

    async def test_the_daily_cap_stops_the_pay_not_the_reactions(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Three reactions pay, the fourth that day pays nothing but is published; the next day pays again."""
        reactions = reactions_over(storage, clock)
        outcomes = [await reactions.react(ALICE, CHANNEL, n, "🔥", ReactionSource.GROUP) for n in range(4)]
        assert [(o.besitos, o.capped) for o in outcomes] == [(2, False)] * 3 + [(0, True)]
        clock.advance(timedelta(days=1))
        assert (await reactions.react(ALICE, CHANNEL, 9, "🔥", ReactionSource.GROUP)).besitos == 2
        assert await paid(storage) == [2, 2, 2, 2]
        detected = [e for e in await recorded_events(storage) if isinstance(e, ReactionDetected)]
        assert [e.besitos for e in detected] == [2, 2, 2, 0, 2]

    async def test_buttons_toggle_and_a_special_reaction_gives_its_pista_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """💋 first pays besitos and the pista; pressing it again removes it; the tally follows the fans."""
        reactions = reactions_over(storage, clock)
        kiss = await reactions.toggle(ALICE, CHANNEL, 3, KISS)
        assert (kiss.besitos, kiss.item_id, kiss.quantity) == (2, LEFT, 1)
        await reactions.toggle(BOB, CHANNEL, 3, "❤️")
        assert await reactions.tally(CHANNEL, 3) == {KISS: 1, "❤️": 1}
        assert (await reactions.toggle(ALICE, CHANNEL, 3, KISS)).emoji is None
        assert (await reactions.toggle(ALICE, CHANNEL, 3, KISS)).item_id is None
        assert await reactions.tally(CHANNEL, 3) == {KISS: 1, "❤️": 1}
        assert await storage.inventory_queries.quantities(ALICE, [LEFT]) == {LEFT: 1}
        assert await paid(storage) == [2]

    async def test_a_press_delivered_again_changes_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The same press (its id) twice, or racing: the reaction stays; the next press takes it back."""
        reactions = reactions_over(storage, clock)
        first = await reactions.toggle(ALICE, CHANNEL, 4, "🔥", press="p-1")
        again = await reactions.toggle(ALICE, CHANNEL, 4, "🔥", press="p-1")
        assert (first.first, first.emoji, again.first, again.emoji) == (True, "🔥", False, "🔥")
        await asyncio.gather(*(reactions.toggle(ALICE, CHANNEL, 4, "🔥", press="p-1") for _ in range(RACERS)))
        assert await reactions.tally(CHANNEL, 4) == {"🔥": 1}
        assert (await reactions.toggle(ALICE, CHANNEL, 4, "🔥", press="p-2")).emoji is None
        assert (await reactions.toggle(ALICE, CHANNEL, 4, "🔥", press="p-2")).emoji is None
        assert await reactions.tally(CHANNEL, 4) == {}
        assert await paid(storage) == [2]

    async def test_racing_copies_of_a_reaction_pay_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A hundred copies of one reaction at once pay once; a hundred messages at once pay the day's cap."""
        reactions = reactions_over(storage, clock, tope_diario=5)
        await asyncio.gather(
            *(reactions.react(BOB, CHANNEL, 1, "❤️", ReactionSource.GROUP) for _ in range(RACERS))
        )
        assert await paid(storage, BOB) == [2]
        await asyncio.gather(
            *(reactions.react(BOB, CHANNEL, n, "❤️", ReactionSource.GROUP) for n in range(2, RACERS + 2))
        )
        assert await paid(storage, BOB) == [2] * 5
        assert (await storage.wallet_queries.balance(BOB)).balance == 10
