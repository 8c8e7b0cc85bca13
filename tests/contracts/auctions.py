"""Auctions on every backend: bids held in escrow, the outbid refunded, one close, and the last-second rush.

Sized by each backend's own knobs (``concurrency``, ``stateful_examples``), which its test module sets for
its speed.
"""

import asyncio
import contextlib
from datetime import timedelta
from typing import ClassVar, Final

import pytest

from tests.contracts.auctions_machine import run_auctions_machine
from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, recorded_events
from tests.contracts.factory import StorageFactory
from tests.contracts.inventory_catalog import KEY, ROSE, small_catalog
from yabot_adapters.storage import StorageBackend
from yabot_core.auctions import (
    AuctionAlreadySettledError,
    AuctionCancelled,
    AuctionClosed,
    AuctionNotOpenError,
    Auctions,
    AuctionStatus,
    BidPlaced,
    BidTooLowError,
    close_timer_key,
)
from yabot_core.inventory import Mochila
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.wallet import ADMIN_GRANT, InsufficientBesitosError, WalletService

CAROL: Final = UserId(1003)
HOUR: Final = timedelta(hours=1)


class AuctionWorld:
    """An auction service over ``storage``, its wallet and mochila, and a way to fund fans."""

    def __init__(self, storage: StorageBackend, clock: FakeClock, prefix: str = "a") -> None:
        ids = SequentialIds(prefix)
        self.storage = storage
        self.clock = clock
        self.wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
        self.mochila = Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids)
        self.auctions = Auctions(
            storage.transactions, storage.auction_queries, self.wallet, self.mochila, clock=clock, ids=ids
        )

    async def fund(self, user: UserId, amount: int) -> None:
        await self.wallet.credit(user, amount, ADMIN_GRANT, idempotency_key=f"fund-{user}-{amount}")

    async def spendable(self, user: UserId) -> tuple[int, int]:
        balance = await self.wallet.balance(user)
        return balance.balance, balance.held


class AuctionsContract(ContractBase):
    """What every backend's auctions slice must do, through the service."""

    concurrency: ClassVar[int] = 1000
    auction_examples: ClassVar[int] = 25
    """Runs of the state machine, up to 30 steps each; a backend's test module may lower it."""

    @pytest.fixture(name="world")
    def world_fixture(self, storage: StorageBackend, clock: FakeClock) -> AuctionWorld:
        return AuctionWorld(storage, clock)

    async def test_a_bid_holds_an_outbid_releases_and_the_close_pays_and_delivers(
        self, world: AuctionWorld, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The leader's besitos are held, the outbid get theirs back, the winner pays once and gets it."""
        await world.fund(ALICE, 100)
        await world.fund(BOB, 100)
        auction = await world.auctions.create(KEY, ends_at=clock.now() + HOUR, minimum_bid=10, increment=5)
        assert (await storage.timer_store.pending(limit=10, kind="auction.close"))[0].key == close_timer_key(
            auction.auction_id
        )
        await world.auctions.bid(auction.auction_id, ALICE, 10, request_key="t1")
        assert await world.spendable(ALICE) == (90, 10)
        with pytest.raises(BidTooLowError):
            await world.auctions.bid(auction.auction_id, BOB, 14, request_key="t2")
        await world.auctions.bid(auction.auction_id, BOB, 15, request_key="t3")
        assert await world.spendable(ALICE) == (100, 0)
        assert await world.spendable(BOB) == (85, 15)
        clock.advance(HOUR)
        closed = await world.auctions.close(auction.auction_id)
        again = await world.auctions.close(auction.auction_id)
        assert closed.status is AuctionStatus.CLOSED
        assert again == closed
        assert closed.winner_id == BOB
        assert await world.spendable(BOB) == (85, 0)
        assert (await world.mochila.item(BOB, KEY)).quantity == 1
        events = await recorded_events(storage)
        outbid = [e for e in events if isinstance(e, BidPlaced) and e.previous_leader == ALICE]
        assert len(outbid) == 1
        assert outbid[0].next_minimum == 20
        closes = [e for e in events if isinstance(e, AuctionClosed)]
        assert [(e.winner_id, e.amount) for e in closes] == [(BOB, 15)]

    async def test_a_refused_bid_changes_nothing(
        self, world: AuctionWorld, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """More than the fan has, before the start, after the end: refused, balances and auction unchanged."""
        await world.fund(ALICE, 20)
        later = await world.auctions.create(
            ROSE, starts_at=clock.now() + HOUR, ends_at=clock.now() + 2 * HOUR, minimum_bid=5
        )
        auction = await world.auctions.create(KEY, ends_at=clock.now() + HOUR, minimum_bid=5)
        with pytest.raises(InsufficientBesitosError):
            await world.auctions.bid(auction.auction_id, ALICE, 21, request_key="t1")
        with pytest.raises(AuctionNotOpenError):
            await world.auctions.bid(later.auction_id, ALICE, 5, request_key="t2")
        assert await world.auctions.get(auction.auction_id) == auction
        assert await world.spendable(ALICE) == (20, 0)
        clock.advance(HOUR)
        with pytest.raises(AuctionNotOpenError):
            await world.auctions.bid(auction.auction_id, ALICE, 5, request_key="t3")
        assert await world.spendable(ALICE) == (20, 0)

    async def test_one_tap_bids_once_even_when_sent_twice_at_once(
        self, world: AuctionWorld, clock: FakeClock
    ) -> None:
        """The same request key, ten times at once, holds once and counts one bid."""
        await world.fund(ALICE, 50)
        auction = await world.auctions.create(KEY, ends_at=clock.now() + HOUR, minimum_bid=10)
        outcomes = await asyncio.gather(
            *(world.auctions.bid(auction.auction_id, ALICE, 10, request_key="tap") for _ in range(10))
        )
        assert sum(outcome.fresh for outcome in outcomes) == 1
        assert await world.spendable(ALICE) == (40, 10)
        assert (await world.auctions.get(auction.auction_id)).bids == 1

    async def test_cancel_releases_the_leader_and_cancels_the_close(
        self, world: AuctionWorld, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Cancelling gives the leader's besitos back and drops the timer; a closed one cannot be."""
        await world.fund(ALICE, 50)
        auction = await world.auctions.create(KEY, ends_at=clock.now() + HOUR, minimum_bid=10)
        await world.auctions.bid(auction.auction_id, ALICE, 30, request_key="t")
        cancelled = await world.auctions.cancel(auction.auction_id)
        assert cancelled.status is AuctionStatus.CANCELLED
        assert await world.auctions.cancel(auction.auction_id) == cancelled
        assert await world.spendable(ALICE) == (50, 0)
        assert await storage.timer_store.pending(limit=10, kind="auction.close") == []
        assert [
            e.refunded_user for e in await recorded_events(storage) if isinstance(e, AuctionCancelled)
        ] == [ALICE]
        other = await world.auctions.create(ROSE, ends_at=clock.now() + HOUR, minimum_bid=10)
        clock.advance(HOUR)
        await world.auctions.close(other.auction_id)
        with pytest.raises(AuctionAlreadySettledError):
            await world.auctions.cancel(other.auction_id)

    async def test_two_closers_at_once_close_once(self, storage: StorageBackend, clock: FakeClock) -> None:
        """Two processes closing the same auction at the same moment pay and deliver once."""
        first, second = AuctionWorld(storage, clock, "p1"), AuctionWorld(storage, clock, "p2")
        await first.fund(ALICE, 40)
        auction = await first.auctions.create(KEY, ends_at=clock.now() + HOUR, minimum_bid=10)
        await first.auctions.bid(auction.auction_id, ALICE, 40, request_key="t")
        clock.advance(HOUR)
        await asyncio.gather(
            first.auctions.close(auction.auction_id), second.auctions.close(auction.auction_id)
        )
        assert await first.spendable(ALICE) == (0, 0)
        assert (await first.mochila.item(ALICE, KEY)).quantity == 1
        closes = [e for e in await recorded_events(storage) if isinstance(e, AuctionClosed)]
        assert len(closes) == 1

    async def test_a_hundred_bidders_in_the_last_second_with_anti_sniping(
        self, world: AuctionWorld, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The highest bid wins, the end moves once by the anti-sniping minutes, every loser is made whole."""
        n = min(self.concurrency, 100)
        bidders = [UserId(5000 + i) for i in range(n)]
        for bidder in bidders:
            await world.fund(bidder, 1000)
        end = clock.now() + HOUR
        auction = await world.auctions.create(
            KEY, ends_at=end, minimum_bid=1, increment=1, anti_sniping_minutes=5
        )
        clock.set(end - timedelta(seconds=1))
        amounts = {bidder: 10 + 7 * ((i * 37) % n) for i, bidder in enumerate(bidders)}

        async def bid(bidder: UserId) -> None:
            with contextlib.suppress(BidTooLowError):  # beaten by a higher bid that committed first
                await world.auctions.bid(auction.auction_id, bidder, amounts[bidder], request_key="tap")

        await asyncio.gather(*(bid(bidder) for bidder in bidders))
        top = max(bidders, key=amounts.__getitem__)
        moved = await world.auctions.get(auction.auction_id)
        assert (moved.leader_id, moved.leading_bid) == (top, amounts[top])
        assert moved.ends_at == end + timedelta(minutes=5)
        timers = await storage.timer_store.pending(limit=10, kind="auction.close")
        assert [timer.due_at for timer in timers] == [moved.ends_at]
        clock.set(end)
        assert (await world.auctions.close(auction.auction_id)).status is AuctionStatus.OPEN
        clock.set(moved.ends_at)
        closed = await world.auctions.close(auction.auction_id)
        assert closed.winner_id == top
        for bidder in bidders:
            expected = (1000 - amounts[top], 0) if bidder == top else (1000, 0)
            assert await world.spendable(bidder) == expected

    def test_the_state_machine_conserves_besitos(self, storage_factory: StorageFactory) -> None:
        """Random create/bid/outbid/cancel/close: besitos conserved, one winner who paid their last bid."""
        run_auctions_machine(storage_factory, examples=self.auction_examples)
