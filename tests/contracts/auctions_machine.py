"""A hypothesis state machine driving auctions on one backend, compared with a plain model.

Random creates (with and without anti-sniping), bids (too low, too high for the wallet, repeated taps),
outbids, cancels, closes and the passing of time; after every step: besitos are conserved (balances + held
= credits - captured), every auction has at most one winner, who paid exactly their last bid, and nobody but
a live auction's leader has besitos held.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, rule

from tests.contracts.factory import StorageFactory
from tests.contracts.inventory_catalog import BOUQUET
from tests.contracts.machines import StorageMachine, run_machine
from tests.contracts.wallet_machine import with_error
from yabot_core.auctions import (
    AuctionNotOpenError,
    Auctions,
    AuctionStatus,
    BidTooLowError,
)
from yabot_core.inventory import Mochila
from yabot_core.kernel import SequentialIds, UserId
from yabot_core.wallet import ADMIN_GRANT, InsufficientBesitosError, WalletService

USERS: Final = (UserId(1), UserId(2), UserId(3))
FUNDS: Final = 100


@dataclass
class ModelAuction:
    """What the model knows of one auction."""

    ends_at: datetime
    minimum: int
    increment: int
    anti: timedelta
    status: AuctionStatus = AuctionStatus.OPEN
    leader: UserId | None = None
    leading: int = 0
    winner: UserId | None = None
    taps: dict[str, int] = field(default_factory=dict)


def auctions_machine(factory: StorageFactory) -> type[StorageMachine]:
    """Build the state machine class for backends made by ``factory``."""

    from tests.contracts.inventory_catalog import small_catalog  # noqa: PLC0415  (shared catalog)

    class AuctionsMachine(StorageMachine):
        auctions = Bundle("auctions")

        def __init__(self) -> None:
            super().__init__(factory)
            ids = SequentialIds("m")
            storage = self.storage
            self.wallet = WalletService(storage.transactions, storage.wallet_queries, self.clock, ids)
            self.mochila = Mochila(
                storage.transactions, storage.inventory_queries, small_catalog(), self.clock, ids
            )
            self.service = Auctions(
                storage.transactions,
                storage.auction_queries,
                self.wallet,
                self.mochila,
                clock=self.clock,
                ids=ids,
            )
            for user in USERS:
                self.runner.run(self.wallet.credit(user, FUNDS, ADMIN_GRANT, idempotency_key=f"fund-{user}"))
            self.model: dict[str, ModelAuction] = {}
            self.captured: dict[UserId, int] = dict.fromkeys(USERS, 0)

        def _held(self, user: UserId) -> int:
            return sum(
                a.leading for a in self.model.values() if a.status is AuctionStatus.OPEN and a.leader == user
            )

        def _spendable(self, user: UserId) -> int:
            return FUNDS - self.captured[user] - self._held(user)

        @rule(
            target=auctions,
            minutes=st.integers(min_value=1, max_value=30),
            minimum=st.integers(min_value=1, max_value=40),
            increment=st.integers(min_value=1, max_value=10),
            anti=st.sampled_from([0, 5]),
        )
        def create(self, minutes: int, minimum: int, increment: int, anti: int) -> str:
            auction = self.runner.run(
                self.service.create(
                    BOUQUET,
                    ends_at=self.clock.now() + timedelta(minutes=minutes),
                    minimum_bid=minimum,
                    increment=increment,
                    anti_sniping_minutes=anti,
                )
            )
            self.model[auction.auction_id] = ModelAuction(
                auction.ends_at, minimum, increment, timedelta(minutes=anti)
            )
            return auction.auction_id

        @rule(
            auction_id=auctions,
            user=st.sampled_from(USERS),
            amount=st.integers(min_value=1, max_value=120),
            tap=st.sampled_from(["a", "b", "c", "d"]),
        )
        def bid(self, auction_id: str, user: UserId, amount: int, tap: str) -> None:
            model = self.model[auction_id]
            now = self.clock.now()
            call = self.service.bid(auction_id, user, amount, request_key=tap)
            key = f"{user}:{tap}"
            if key in model.taps:  # the same tap again: nothing changes
                outcome = self.runner.run(call)
                assert not outcome.fresh
                assert outcome.bid.amount == model.taps[key]
                return
            if model.status is not AuctionStatus.OPEN or now >= model.ends_at:
                with_error(self, AuctionNotOpenError, call)
                return
            floor = model.minimum if model.leader is None else model.leading + model.increment
            if amount < floor:
                with_error(self, BidTooLowError, call)
                return
            own = model.leading if model.leader == user else 0
            if self._spendable(user) + own < amount:
                with_error(self, InsufficientBesitosError, call)
                return
            outcome = self.runner.run(call)
            assert outcome.fresh
            model.taps[key] = amount
            model.leader, model.leading = user, amount
            if model.anti and model.ends_at - now <= model.anti:
                model.ends_at += model.anti
            assert outcome.auction.ends_at == model.ends_at

        @rule(auction_id=auctions)
        def cancel(self, auction_id: str) -> None:
            model = self.model[auction_id]
            if model.status is AuctionStatus.CLOSED:
                return  # refused with AuctionAlreadySettledError; the contract's own test covers it
            cancelled = self.runner.run(self.service.cancel(auction_id))
            assert cancelled.status is AuctionStatus.CANCELLED
            model.status = AuctionStatus.CANCELLED

        @rule(auction_id=auctions)
        def close(self, auction_id: str) -> None:
            model = self.model[auction_id]
            closed = self.runner.run(self.service.close(auction_id))
            if model.status is AuctionStatus.OPEN and self.clock.now() >= model.ends_at:
                model.status = AuctionStatus.CLOSED
                model.winner = model.leader
                if model.leader is not None:
                    self.captured[model.leader] += model.leading
            assert closed.status is model.status
            assert closed.winner_id == model.winner

        @rule(minutes=st.integers(min_value=1, max_value=20))
        def wait(self, minutes: int) -> None:
            self.clock.advance(timedelta(minutes=minutes))

        @invariant()
        def besitos_are_conserved(self) -> None:
            for user in USERS:
                balance = self.runner.run(self.wallet.balance(user))
                assert balance.balance + balance.held == FUNDS - self.captured[user]
                assert balance.held == self._held(user)

        @invariant()
        def one_winner_who_paid_their_last_bid(self) -> None:
            for auction_id, model in self.model.items():
                stored = self.runner.run(self.service.get(auction_id))
                assert stored.status is model.status
                assert stored.ends_at == model.ends_at
                if stored.winner_id is not None:
                    assert stored.status is AuctionStatus.CLOSED
                    assert (stored.winner_id, stored.leading_bid) == (model.winner, model.leading)
                    hold = self.runner.run(self.storage.transactions.run(_hold(stored.leading_hold)))
                    assert hold is not None
                    assert (hold.status.value, hold.amount, hold.user_id) == (
                        "captured",
                        model.leading,
                        model.winner,
                    )

    return AuctionsMachine


def _hold(hold_id: str | None):  # type: ignore[no-untyped-def]  (a unit of work's read, typed by its use)
    async def work(uow):  # type: ignore[no-untyped-def]
        return None if hold_id is None else await uow.wallets.get_hold(hold_id)

    return work


def run_auctions_machine(factory: StorageFactory, *, examples: int, steps: int = 30) -> None:
    """Run the state machine against backends made by ``factory``."""
    run_machine(auctions_machine(factory), examples=examples, steps=steps)
