"""Bids per second on one hot auction, and how long after an auction's end its winner's notice is handled.

Bids: N fans, each funded, bid at once on one auction (increment 1), each a higher amount than the fan
before (so nearly every bid outbids one: a release, a hold, the auction moved, ``BidPlaced``, one commit).
Bids that lose a race to a higher one are refused (``BidTooLowError``) and counted too: they cost a
transaction each. Afterwards the leader must be the highest bidder and every other fan whole again.

Close → notified: K auctions with one bid each, all ending at the same instant; ``yabot run``'s Ticker fires
their close timers, the close handler captures and delivers, and a handler of ``AuctionClosed`` (where the
winner's notice starts; Telegram's send is not in the figure) notes when it got each one.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from benchmarks.backends import OpenBackend
from benchmarks.bus import Arrivals, ensure_delivered
from benchmarks.stats import OpsRun
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.content import load_item_catalog
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageBackend
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_app.content import SHIPPED_ITEMS
from yabot_core.auctions import CLOSE_TIMER, AuctionClosed, Auctions, BidTooLowError
from yabot_core.inventory import Mochila
from yabot_core.kernel import TimerFired, UserId, timer_route
from yabot_core.wallet import ADMIN_GRANT, WalletService

ITEM: Final = "rosa-roja"
"""Stackable: every winner can take one more."""
FUNDS: Final = 1_000_000
FUND_BATCH: Final = 200


class LostBesitosError(AssertionError):
    """A run ended with besitos or a leader other than the bids imply: the figure is worthless."""


@dataclass(frozen=True, slots=True)
class BidRun:
    """One run of the hot auction: bid attempts over wall time, and how many were accepted."""

    run: OpsRun
    accepted: int


def _services(storage: StorageBackend) -> tuple[WalletService, Auctions]:
    clock = SystemClock()
    ids = UuidGenerator()
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    catalog = load_item_catalog(SHIPPED_ITEMS, None)
    mochila = Mochila(storage.transactions, storage.inventory_queries, catalog, clock, ids)
    auctions = Auctions(storage.transactions, storage.auction_queries, wallet, mochila, clock=clock, ids=ids)
    return wallet, auctions


async def _fund(wallet: WalletService, fans: list[UserId], run: str) -> None:
    for first in range(0, len(fans), FUND_BATCH):
        await asyncio.gather(
            *(
                wallet.credit(fan, FUNDS, ADMIN_GRANT, idempotency_key=f"{run}:{fan}")
                for fan in fans[first : first + FUND_BATCH]
            )
        )


async def hot_auction(open_backend: OpenBackend, *, bidders: int) -> BidRun:
    """On a fresh backend, ``bidders`` fans bid at once on one auction; time them all, then check the books.

    Raises:
        LostBesitosError: the leader is not the highest bid, or a fan's besitos do not add up.
    """
    clock = SystemClock()
    async with open_backend(clock) as storage:
        wallet, auctions = _services(storage)
        fans = [UserId(n) for n in range(1, bidders + 1)]
        await _fund(wallet, fans, "hot")
        auction = await auctions.create(
            ITEM, ends_at=clock.now() + timedelta(hours=1), minimum_bid=1, increment=1
        )
        accepted = 0

        async def bid(fan: UserId) -> None:
            nonlocal accepted
            try:
                await auctions.bid(auction.auction_id, fan, 100 + fan, request_key="tap")
            except BidTooLowError:
                return
            accepted += 1

        started = time.perf_counter()
        await asyncio.gather(*(bid(fan) for fan in fans))
        seconds = time.perf_counter() - started
        final = await auctions.get(auction.auction_id)
        if (final.leader_id, final.leading_bid) != (fans[-1], 100 + fans[-1]):
            msg = f"the highest bid does not lead: {final.leader_id} with {final.leading_bid}"
            raise LostBesitosError(msg)
        for fan in fans:
            balance = await wallet.balance(fan)
            held = final.leading_bid if fan == final.leader_id else 0
            if (balance.balance + balance.held, balance.held) != (FUNDS, held):
                msg = f"fan {fan}: {balance.balance} + {balance.held} held (expected {held} held of {FUNDS})"
                raise LostBesitosError(msg)
    return BidRun(run=OpsRun(operations=bidders, seconds=seconds), accepted=accepted)


async def close_to_notified(open_backend: OpenBackend, *, auctions_due: int, lead: float) -> list[float]:
    """On a fresh backend, ``auctions_due`` auctions with a bid each end at one instant ``lead`` s ahead.

    Returns each auction's lag in ms: when the ``AuctionClosed`` handler got it − the auctions' end (wall).
    """
    clock = SystemClock()
    ids = UuidGenerator()
    arrivals = Arrivals(stamp=time.time)

    async def noted(event: AuctionClosed) -> None:
        arrivals.arrived(event.auction_id)

    async with open_backend(clock) as storage:
        wallet, auctions = _services(storage)
        fans = [UserId(n) for n in range(1, auctions_due + 1)]
        await _fund(wallet, fans, "close")
        bus = LocalEventBus(storage, clock=clock, ids=ids)
        bus.subscribe(
            TimerFired, auctions.on_close_due, name="auctions.close", route=timer_route(CLOSE_TIMER)
        )
        bus.subscribe(AuctionClosed, noted, name="bench.auction_closed")
        ends_at = clock.now() + timedelta(seconds=lead)
        for fan in fans:
            made = await auctions.create(ITEM, ends_at=ends_at, minimum_bid=1)
            await auctions.bid(made.auction_id, fan, 10, request_key="tap")
        ticker = Ticker(storage, clock, ids)
        await bus.start()
        await ticker.start()
        try:
            await arrivals.wait_for(auctions_due)
        finally:
            await ticker.stop()
            await bus.stop()
        await ensure_delivered(storage)
    due = ends_at.timestamp()
    return [(arrived - due) * 1000 for arrived in arrivals.first.values()]
